package io.videoshop.reporting;

/**
 * The counters and sketches of a tenant's report for some set of days (and agents), added up from
 * the pre-aggregated rows, and the formulas read from them (docs/reporting.md defines each).
 * An accumulator: rows are added into it, then {@link #view} computes the figures.
 */
public final class Figures {
  // Queue, by the day the shopper joined
  long queued;
  long answered;
  long abandonedLeft;
  long abandonedAfterExpiry;
  long abandonedMaxWait;
  long abandonedDisconnected;
  long answerWaitMs;
  long longestWaitMs;
  final DurationSketch.Sum answerWaits = new DurationSketch.Sum();
  final DurationSketch.Sum abandonWaits = new DurationSketch.Sum();
  // Offers and handling, per agent
  long offersMade;
  long offersAccepted;
  long offersRejected;
  long offersExpired;
  long handled;
  long handleMs;
  // Presence
  long availableMs;
  long busyMs;
  long awayMs;
  long offlineMs;
  // Calls, by the day the room opened
  long calls;
  long ended;
  long talkSeconds;
  final DurationSketch.Sum talkDurations = new DurationSketch.Sum();
  long billedMinutes;
  long rated;
  long ratingSum;
  long rated45;
  long productsShown;
  long callsWithCart;
  // Billing, by the day of the debit
  long debitedMinutes;
  long includedMinutes;
  long cost;
  // Bookings, by the day of their event
  long bookingsMade;
  long bookingsAttended;
  long bookingsNoShow;
  long bookingsMissed;
  long bookingsCancelled;

  public Figures add(Figures o) {
    queued += o.queued;
    answered += o.answered;
    abandonedLeft += o.abandonedLeft;
    abandonedAfterExpiry += o.abandonedAfterExpiry;
    abandonedMaxWait += o.abandonedMaxWait;
    abandonedDisconnected += o.abandonedDisconnected;
    answerWaitMs += o.answerWaitMs;
    longestWaitMs = Math.max(longestWaitMs, o.longestWaitMs);
    answerWaits.add(o.answerWaits);
    abandonWaits.add(o.abandonWaits);
    offersMade += o.offersMade;
    offersAccepted += o.offersAccepted;
    offersRejected += o.offersRejected;
    offersExpired += o.offersExpired;
    handled += o.handled;
    handleMs += o.handleMs;
    availableMs += o.availableMs;
    busyMs += o.busyMs;
    awayMs += o.awayMs;
    offlineMs += o.offlineMs;
    calls += o.calls;
    ended += o.ended;
    talkSeconds += o.talkSeconds;
    talkDurations.add(o.talkDurations);
    billedMinutes += o.billedMinutes;
    rated += o.rated;
    ratingSum += o.ratingSum;
    rated45 += o.rated45;
    productsShown += o.productsShown;
    callsWithCart += o.callsWithCart;
    debitedMinutes += o.debitedMinutes;
    includedMinutes += o.includedMinutes;
    cost += o.cost;
    bookingsMade += o.bookingsMade;
    bookingsAttended += o.bookingsAttended;
    bookingsNoShow += o.bookingsNoShow;
    bookingsMissed += o.bookingsMissed;
    bookingsCancelled += o.bookingsCancelled;
    return this;
  }

  public long abandoned() {
    return abandonedLeft + abandonedAfterExpiry + abandonedMaxWait + abandonedDisconnected;
  }

  /** The figures as the API and the CSV show them; {@code serviceLevelSeconds} is the tenant's T. */
  public View view(int serviceLevelSeconds) {
    long abandoned = abandoned();
    long outcomes = answered + abandoned;
    DurationSketch answerWaits = this.answerWaits.sketch();
    DurationSketch talkDurations = this.talkDurations.sketch();
    return new View(
        new Queue(queued, answered, abandoned, new Abandoned(abandonedLeft, abandonedAfterExpiry, abandonedMaxWait,
            abandonedDisconnected), ratio(abandoned, outcomes), serviceLevelSeconds,
            ratio(answerWaits.countAtMost(serviceLevelSeconds), outcomes), average(answerWaitMs, answered),
            secondsToMs(answerWaits.percentile(0.5)), secondsToMs(answerWaits.percentile(0.9)), longestWaitMs),
        new Agents(offersMade, offersAccepted, offersRejected, offersExpired, handled, average(handleMs, handled),
            availableMs, busyMs, awayMs, offlineMs, ratio(busyMs, busyMs + availableMs)),
        new Calls(calls, ended, talkSeconds, average(talkSeconds * 1000, ended),
            secondsToMs(talkDurations.percentile(0.9)), billedMinutes),
        new Feedback(rated, rated == 0 ? null : round((double) ratingSum / rated), ratio(rated45, rated),
            ratio(rated, ended)),
        new Commerce(productsShown, ratio(productsShown, calls), callsWithCart, ratio(callsWithCart, calls)),
        new Billing(debitedMinutes, includedMinutes, cost),
        new Bookings(bookingsMade, bookingsAttended, bookingsNoShow, bookingsMissed, bookingsCancelled,
            ratio(bookingsNoShow, bookingsAttended + bookingsNoShow + bookingsMissed)));
  }

  static Double ratio(long part, long whole) {
    return whole == 0 ? null : round((double) part / whole);
  }

  static Long average(long sum, long count) {
    return count == 0 ? null : Math.round((double) sum / count);
  }

  private static Long secondsToMs(Long seconds) {
    return seconds == null ? null : seconds * 1000;
  }

  private static double round(double value) {
    return Math.round(value * 10_000) / 10_000.0;
  }

  public record View(Queue queue, Agents agents, Calls calls, Feedback feedback, Commerce commerce,
      Billing billing, Bookings bookings) {}

  public record Abandoned(long leftWhileWaiting, long leftAfterExpiredReservation, long timedOutAtMaximumWait,
      long disconnectedPastGrace) {}

  /** Durations in milliseconds; rates from 0 to 1, null when there is nothing to divide by. */
  public record Queue(long queued, long answered, long abandoned, Abandoned abandonedBy, Double abandonmentRate,
      int serviceLevelSeconds, Double serviceLevel, Long averageSpeedOfAnswerMs, Long waitP50Ms, Long waitP90Ms,
      long longestWaitMs) {}

  public record Agents(long offersMade, long offersAccepted, long offersRejected, long offersExpired, long handled,
      Long averageHandleTimeMs, long availableMs, long busyMs, long awayMs, long offlineMs, Double occupancy) {}

  public record Calls(long calls, long ended, long talkSeconds, Long averageDurationMs, Long durationP90Ms,
      long billedMinutes) {}

  public record Feedback(long rated, Double averageRating, Double shareRated4To5, Double responseRate) {}

  public record Commerce(long productsShown, Double productsPerCall, long callsWithAddToCart, Double conversion) {}

  /** Minutes debited from the wallet (those the plan included cost 0) and their cost in minor units. */
  public record Billing(long debitedMinutes, long includedMinutes, long cost) {}

  /**
   * Bookings made, and bookings ended: attended, no-show, missed (the shopper came, no call took
   * place), cancelled, each on the day of its event;
   * {@code noShowRate = noShow / (attended + noShow + missed)}: of the bookings whose time came,
   * the share whose shopper did not.
   */
  public record Bookings(long made, long attended, long noShow, long missed, long cancelled, Double noShowRate) {}
}
