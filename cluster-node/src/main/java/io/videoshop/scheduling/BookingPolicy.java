package io.videoshop.scheduling;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.videoshop.domain.FieldError;
import io.videoshop.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A tenant's rules for bookings. Buffers count as busy: a booking occupies its agent from
 * {@code bufferBeforeMinutes} before its start to {@code bufferAfterMinutes} after its end, and two
 * bookings of one agent never occupy the same minute.
 *
 * @param slotMinutes how long a booked call is
 * @param intervalMinutes the step between offered start times, from each opening's start
 * @param minNoticeMinutes how soon a slot may start after the booking is made (default 2 h)
 * @param horizonDays how far ahead a slot may start (default 30 days)
 * @param maxPerAgentPerDay bookings one agent takes at most on one of the tenant's days
 * @param changeNoticeMinutes how long before its start a shopper may still reschedule or cancel
 * @param reminderMinutes when the shopper's reminder mails go out, minutes before the start
 *     (default 24 h and 1 h; empty: none); absent in policies set before reminders existed
 * @param agentReminderMinutes when the agent's push and console notice go out (default 10; 0: none)
 * @param noShowAfterMinutes how long after the start a booked shopper who has not arrived is marked
 *     a no-show (default 15); absent in policies set before it existed
 * @param bookedAgentMinutes how long a booked shopper who arrived is offered to the booked agent only,
 *     from the start (or a late arrival), before any suitable agent may have them (default 5)
 * @param earlyArrivalMinutes how long before the start a booked shopper may join the queue and wait
 *     for their time (default 15)
 */
public record BookingPolicy(
    int slotMinutes, int intervalMinutes, int bufferBeforeMinutes, int bufferAfterMinutes, int minNoticeMinutes,
    int horizonDays, int maxPerAgentPerDay, int changeNoticeMinutes, List<Integer> reminderMinutes,
    Integer agentReminderMinutes, Integer noShowAfterMinutes, Integer bookedAgentMinutes,
    Integer earlyArrivalMinutes) implements CborSerializable {

  public static final List<Integer> DEFAULT_REMINDERS = List.of(24 * 60, 60);
  public static final int DEFAULT_AGENT_REMINDER = 10;
  public static final int DEFAULT_NO_SHOW_AFTER = 15;
  public static final int DEFAULT_BOOKED_AGENT_MINUTES = 5;
  public static final int DEFAULT_EARLY_ARRIVAL_MINUTES = 15;

  @JsonCreator
  public BookingPolicy {
    reminderMinutes = reminderMinutes == null ? DEFAULT_REMINDERS
        : reminderMinutes.stream().filter(java.util.Objects::nonNull).distinct().sorted(java.util.Comparator.reverseOrder())
            .toList();
    agentReminderMinutes = agentReminderMinutes == null ? DEFAULT_AGENT_REMINDER : agentReminderMinutes;
    noShowAfterMinutes = noShowAfterMinutes == null ? DEFAULT_NO_SHOW_AFTER : noShowAfterMinutes;
    bookedAgentMinutes = bookedAgentMinutes == null ? DEFAULT_BOOKED_AGENT_MINUTES : bookedAgentMinutes;
    earlyArrivalMinutes = earlyArrivalMinutes == null ? DEFAULT_EARLY_ARRIVAL_MINUTES : earlyArrivalMinutes;
  }

  /** A policy with the default reminders and no-show time. */
  public BookingPolicy(int slotMinutes, int intervalMinutes, int bufferBeforeMinutes, int bufferAfterMinutes,
      int minNoticeMinutes, int horizonDays, int maxPerAgentPerDay, int changeNoticeMinutes) {
    this(slotMinutes, intervalMinutes, bufferBeforeMinutes, bufferAfterMinutes, minNoticeMinutes, horizonDays,
        maxPerAgentPerDay, changeNoticeMinutes, null, null, null, null, null);
  }

  /** As the full constructor, with the default no-show and arrival rules. */
  public BookingPolicy(int slotMinutes, int intervalMinutes, int bufferBeforeMinutes, int bufferAfterMinutes,
      int minNoticeMinutes, int horizonDays, int maxPerAgentPerDay, int changeNoticeMinutes,
      List<Integer> reminderMinutes, Integer agentReminderMinutes) {
    this(slotMinutes, intervalMinutes, bufferBeforeMinutes, bufferAfterMinutes, minNoticeMinutes, horizonDays,
        maxPerAgentPerDay, changeNoticeMinutes, reminderMinutes, agentReminderMinutes, null, null, null);
  }

  public static BookingPolicy defaults() {
    return new BookingPolicy(30, 30, 0, 0, 120, 30, 16, 120);
  }

  public Duration slotLength() {
    return Duration.ofMinutes(slotMinutes);
  }

  public Duration interval() {
    return Duration.ofMinutes(intervalMinutes);
  }

  public Duration bufferBefore() {
    return Duration.ofMinutes(bufferBeforeMinutes);
  }

  public Duration bufferAfter() {
    return Duration.ofMinutes(bufferAfterMinutes);
  }

  public Duration minNotice() {
    return Duration.ofMinutes(minNoticeMinutes);
  }

  public Duration horizon() {
    return Duration.ofDays(horizonDays);
  }

  public Duration changeNotice() {
    return Duration.ofMinutes(changeNoticeMinutes);
  }

  public Duration noShowAfter() {
    return Duration.ofMinutes(noShowAfterMinutes);
  }

  public Duration bookedAgentWindow() {
    return Duration.ofMinutes(bookedAgentMinutes);
  }

  public Duration earlyArrival() {
    return Duration.ofMinutes(earlyArrivalMinutes);
  }

  /** Every field out of its range, named; empty when the policy is acceptable. */
  public List<FieldError> problems() {
    List<FieldError> errors = new ArrayList<>();
    range(errors, "slotMinutes", slotMinutes, 5, 480);
    range(errors, "intervalMinutes", intervalMinutes, 5, 480);
    range(errors, "bufferBeforeMinutes", bufferBeforeMinutes, 0, 240);
    range(errors, "bufferAfterMinutes", bufferAfterMinutes, 0, 240);
    range(errors, "minNoticeMinutes", minNoticeMinutes, 0, 43_200);
    range(errors, "horizonDays", horizonDays, 1, 365);
    range(errors, "maxPerAgentPerDay", maxPerAgentPerDay, 1, 200);
    range(errors, "changeNoticeMinutes", changeNoticeMinutes, 0, 43_200);
    if (reminderMinutes.size() > 3) {
      errors.add(new FieldError("reminderMinutes", "too_many", "at most 3 reminders"));
    }
    for (int minutes : reminderMinutes) range(errors, "reminderMinutes", minutes, 5, 20_160);
    range(errors, "agentReminderMinutes", agentReminderMinutes, 0, 1_440);
    range(errors, "noShowAfterMinutes", noShowAfterMinutes, 1, 240);
    range(errors, "bookedAgentMinutes", bookedAgentMinutes, 0, 60);
    range(errors, "earlyArrivalMinutes", earlyArrivalMinutes, 0, 120);
    return errors;
  }

  private static void range(List<FieldError> errors, String field, int value, int min, int max) {
    if (value < min || value > max) {
      errors.add(new FieldError(field, "out_of_range", "must be between " + min + " and " + max));
    }
  }
}
