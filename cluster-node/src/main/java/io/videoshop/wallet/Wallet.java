package io.videoshop.wallet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.videoshop.http.Traced;
import io.videoshop.persistence.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One tenant's wallet: a ledger of credits and debits in the currency's minor unit, the plan, and
 * what they allow. One event-sourced entity per tenant (entity id = tenant id), placed on some
 * node by Cluster Sharding.
 *
 * <p>The balance is the sum of the ledger ({@link Credited} and {@link Debited} events); the state
 * keeps it as a running total. Every entry has a unique reference. Call minutes are debited once
 * per (room id, minute index) however often a room retries a tick; credits once per reference.
 *
 * <p>Billing periods are calendar months in UTC. The wallet catches up on periods lazily: the
 * first command (or its own timer) after a month starts records the period and charges a
 * subscription's fee, dated at the month's first instant, so statements see it in its month.
 *
 * <p>Subscribers (the queue, call rooms) get the {@link Admission} when they subscribe and again
 * whenever it changes. See docs/billing.md.
 */
public final class Wallet
    extends EventSourcedBehaviorWithEnforcedReplies<Wallet.Command, Wallet.Event, Wallet.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Wallet");

  /** Projections read events by tag; the number of tags is fixed once events exist. */
  public static final int TAG_COUNT = 4;

  public static final List<String> TAGS =
      IntStream.range(0, TAG_COUNT).mapToObj(slice -> ENTITY_KEY.name() + "-" + slice).toList();

  /** A call lasts at most this many minutes (about a week): a bigger index is a broken tick. */
  public static final int MAX_MINUTE_INDEX = 10_080;

  /**
   * How long a room's debited minutes are remembered after its last tick. A room retries a tick
   * for seconds; two days keeps every plausible retry deduplicated while a busy tenant's state
   * stays small (rooms are forgotten when a new room starts).
   */
  public static final Duration ROOM_MEMORY = Duration.ofDays(2);

  private static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9_.:\\-]{1,200}");
  private static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9_.:\\-]{1,64}");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final int MAX_NOTE = 500;
  private static final long MAX_CREDIT = 1_000_000_000_000L;

  public static void init(ActorSystem<?> system, int lowBalanceMinutes) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, entity ->
        create(entity.getEntityId(), Clock.systemUTC(), lowBalanceMinutes)));
  }

  public static Behavior<Command> create(String tenantId, Clock clock, int lowBalanceMinutes) {
    return Behaviors.setup(context ->
        Behaviors.withTimers(timers -> new Wallet(tenantId, context, timers, clock, lowBalanceMinutes)));
  }

  public static String tagFor(String tenantId) {
    return TAGS.get(Math.abs(tenantId.hashCode() % TAG_COUNT));
  }

  public static YearMonth periodOf(Instant at) {
    return YearMonth.from(at.atZone(ZoneOffset.UTC));
  }

  public static Instant startOf(YearMonth period) {
    return period.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** A monthly amount for the rest of the month from {@code at}'s day (that day included), rounded down. */
  static long prorated(long monthly, Instant at) {
    YearMonth period = periodOf(at);
    int daysLeft = period.lengthOfMonth() - at.atZone(ZoneOffset.UTC).getDayOfMonth() + 1;
    return Math.multiplyExact(monthly, daysLeft) / period.lengthOfMonth();
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  /**
   * Commands that change the wallet carry the request id of the work that sent them
   * ({@link Traced}): the wallet's log lines for them, also after the persist, carry it.
   */
  public sealed interface Command extends CborSerializable {}

  /**
   * Opens the wallet in a currency with its first plan (a trial); answers the wallet as it is
   * when it is open already, so whoever first needs the wallet may send it.
   */
  public record Open(String currency, Plan plan, ActorRef<OpenReply> replyTo, String requestId)
      implements Command, Traced {
    /** With the request id of the work that makes it ({@link Traced#current}). */
    public Open(String currency, Plan plan, ActorRef<OpenReply> replyTo) {
      this(currency, plan, replyTo, Traced.current());
    }
  }

  /** Credits an amount once per reference: a repeat gets the first answer; the same reference for another amount is refused. */
  public record Credit(String reference, CreditKind kind, long amount, String note, ActorRef<CreditReply> replyTo,
      String requestId) implements Command, Traced {
    /** With the request id of the work that makes it ({@link Traced#current}). */
    public Credit(String reference, CreditKind kind, long amount, String note, ActorRef<CreditReply> replyTo) {
      this(reference, kind, amount, note, replyTo, Traced.current());
    }
  }

  /**
   * A call room's tick: minute {@code minuteIndex} (0 is the first minute) of room {@code roomId}
   * has been used. Debited once, however often it is sent; never refused for lack of funds (the
   * minute happened), so the balance may go below zero by a call's grace minute.
   */
  public record DebitMinute(String roomId, int minuteIndex, Instant minuteAt, ActorRef<DebitReply> replyTo,
      String requestId) implements Command, Traced {
    /** With the request id of the work that makes it ({@link Traced#current}; the billing projection has none). */
    public DebitMinute(String roomId, int minuteIndex, Instant minuteAt, ActorRef<DebitReply> replyTo) {
      this(roomId, minuteIndex, minuteAt, replyTo, Traced.current());
    }

    /** A tick whose minute's time is not known (it is then never judged stale). */
    public DebitMinute(String roomId, int minuteIndex, ActorRef<DebitReply> replyTo) {
      this(roomId, minuteIndex, null, replyTo);
    }
  }

  /** Changes the plan now (upgrades) or from the next period (downgrades); see {@link Plan#takesEffectNow}. */
  public record ChangePlan(Plan plan, ActorRef<PlanChangeReply> replyTo, String requestId) implements Command, Traced {
    /** With the request id of the work that makes it ({@link Traced#current}). */
    public ChangePlan(Plan plan, ActorRef<PlanChangeReply> replyTo) {
      this(plan, replyTo, Traced.current());
    }
  }

  public record GetWallet(ActorRef<WalletView> replyTo) implements Command {
    @JsonCreator
    public GetWallet {}
  }

  public record Subscribe(ActorRef<WalletUpdate> subscriber) implements Command {
    @JsonCreator
    public Subscribe {}
  }

  public record Unsubscribe(ActorRef<WalletUpdate> subscriber) implements Command {
    @JsonCreator
    public Unsubscribe {}
  }

  /** Sent by the wallet's own timer at the next period start or trial end. */
  public enum ClockDue implements Command {
    INSTANCE
  }

  /** Sent by the wallet's watch on a subscriber. */
  public record SubscriberTerminated(ActorRef<WalletUpdate> subscriber) implements Command {
    @JsonCreator
    public SubscriberTerminated {}
  }

  // Replies

  public sealed interface OpenReply extends CborSerializable permits WalletView, Refused {}

  public sealed interface CreditReply extends CborSerializable {}

  public sealed interface DebitReply extends CborSerializable {}

  public sealed interface PlanChangeReply extends CborSerializable {}

  /** The same for the first credit and for every repeat of its reference. */
  public record CreditRecorded(String reference, CreditKind kind, long amount, long balanceAfter)
      implements CreditReply {}

  /** The same for the first tick and every retry: the minute is on the ledger exactly once. */
  public record MinuteRecorded(String roomId, int minuteIndex) implements DebitReply {}

  /**
   * @param plan the plan in force now
   * @param scheduledPlan the plan the next period starts with (a downgrade), or null
   * @param feeCharged what an upgrade to a subscription charged now (its fee for the rest of the month)
   */
  public record PlanChangeAccepted(Plan plan, Plan scheduledPlan, YearMonth scheduledFrom, long feeCharged)
      implements PlanChangeReply {}

  public enum Refusal {
    WALLET_NOT_OPEN,
    INVALID_CURRENCY,
    INVALID_REFERENCE,
    INVALID_AMOUNT,
    /** The reference was used before for another credit. */
    REFERENCE_REUSED,
    INVALID_TICK,
    /**
     * A minute older than {@link #ROOM_MEMORY} of a room the wallet no longer remembers: it may
     * have been debited already and forgotten, so it is not debited (again); the sender logs it.
     */
    STALE_TICK,
    INVALID_PLAN,
    /** A paid plan cannot go back to a trial. */
    INVALID_PLAN_CHANGE;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public record Refused(Refusal reason) implements OpenReply, CreditReply, DebitReply, PlanChangeReply {
    @JsonCreator
    public Refused {}
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  public enum CreditKind {
    @JsonProperty("top_up") TOP_UP,
    @JsonProperty("refund") REFUND,
    @JsonProperty("adjustment") ADJUSTMENT,
    @JsonProperty("trial_grant") TRIAL_GRANT;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public enum DebitKind {
    @JsonProperty("call_minute") CALL_MINUTE,
    @JsonProperty("plan_fee") PLAN_FEE;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = WalletOpened.class, name = "WalletOpened"),
    @JsonSubTypes.Type(value = Credited.class, name = "Credited"),
    @JsonSubTypes.Type(value = Debited.class, name = "Debited"),
    @JsonSubTypes.Type(value = PlanChanged.class, name = "PlanChanged"),
    @JsonSubTypes.Type(value = PlanChangeScheduled.class, name = "PlanChangeScheduled"),
    @JsonSubTypes.Type(value = ScheduledPlanChangeCancelled.class, name = "ScheduledPlanChangeCancelled"),
    @JsonSubTypes.Type(value = PeriodStarted.class, name = "PeriodStarted"),
    @JsonSubTypes.Type(value = BalanceLevelChanged.class, name = "BalanceLevelChanged")
  })
  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  public record WalletOpened(String currency, Plan plan, YearMonth period, Instant at) implements Event {}

  /** Money in: a top-up (also through the payment provider), a refund, an adjustment or a trial grant. */
  public record Credited(String reference, CreditKind kind, long amount, long balanceAfter, String note, Instant at)
      implements Event, LedgerEntry {
    @Override
    public long signedAmount() {
      return amount;
    }
  }

  /**
   * Money out: a call minute ({@code roomId}, {@code minuteIndex}; amount 0 when the plan includes
   * it, {@code included}) or a plan fee.
   */
  public record Debited(String reference, DebitKind kind, long amount, long balanceAfter, String roomId,
      Integer minuteIndex, boolean included, Instant at) implements Event, LedgerEntry {
    @Override
    public long signedAmount() {
      return -amount;
    }
  }

  /** An upgrade, in force at once: {@code includedMinutesLeft} is what the rest of the period includes. */
  public record PlanChanged(Plan from, Plan to, int includedMinutesLeft, Instant at) implements Event {}

  /** A downgrade, in force from the start of {@code from}. */
  public record PlanChangeScheduled(Plan to, YearMonth from, Instant at) implements Event {}

  public record ScheduledPlanChangeCancelled(Plan cancelled, Instant at) implements Event {}

  /** A new billing period, with the plan it runs on (a scheduled downgrade now in force). */
  public record PeriodStarted(YearMonth period, Plan plan, int includedMinutesLeft, Instant at) implements Event {}

  /**
   * The wallet crossed a level: the domain event behind low-balance mails and webhooks, and the
   * signal running calls act on.
   */
  public record BalanceLevelChanged(BalanceLevel from, BalanceLevel to, long balance, Long minutesLeft, Instant at)
      implements Event {}

  // ---------------------------------------------------------------------------------------------
  // State: pure transitions, testable without actors.

  /** A room's debited minutes: 0 to {@code contiguousThrough}, and the few beyond a gap a retry will fill. */
  public record RoomMinutes(int contiguousThrough, Set<Integer> beyond, Instant lastTickAt)
      implements CborSerializable {
    public RoomMinutes {
      beyond = Set.copyOf(beyond);
    }

    boolean recorded(int minute) {
      return minute <= contiguousThrough || beyond.contains(minute);
    }

    RoomMinutes with(int minute, Instant at) {
      TreeSet<Integer> rest = new TreeSet<>(beyond);
      rest.add(minute);
      int through = contiguousThrough;
      while (rest.remove(through + 1)) through++;
      return new RoomMinutes(through, rest, at);
    }
  }

  /** A credit remembered to answer a repeat of its reference (for the current and previous period). */
  public record RecentCredit(CreditKind kind, long amount, long balanceAfter, YearMonth period)
      implements CborSerializable {}

  /**
   * @param includedMinutesLeft a trial's free minutes left, or a subscription's included minutes
   *     left this period
   * @param lastEventAt the latest event's time: later events are never dated before it
   * @param rooms minutes debited per room, for rooms ticked within {@link #ROOM_MEMORY}
   * @param credits credit references of the current and previous period
   */
  public record State(
      boolean open,
      String currency,
      Plan plan,
      Plan scheduledPlan,
      YearMonth period,
      int includedMinutesLeft,
      long balance,
      BalanceLevel level,
      WalletView.Usage usage,
      Instant lastEventAt,
      Map<String, RoomMinutes> rooms,
      Map<String, RecentCredit> credits)
      implements CborSerializable {

    public static final State EMPTY =
        new State(false, null, null, null, null, 0, 0, BalanceLevel.OK, null, null, Map.of(), Map.of());

    public State {
      rooms = Map.copyOf(rooms);
      credits = Map.copyOf(credits);
    }

    // Queries

    /** Minutes the wallet can still pay for at {@code now}; null: no limit. */
    public Long minutesLeft(Instant now) {
      if (!open) return 0L;
      if (plan instanceof Plan.Trial trial) return now.isBefore(trial.endsAt()) ? (long) includedMinutesLeft : 0L;
      long rate = plan.overageRate();
      if (rate == 0) return null;
      return includedMinutesLeft + Math.max(0, balance) / rate;
    }

    public BalanceLevel levelAt(Instant now, int lowBalanceMinutes) {
      return open ? BalanceLevel.of(minutesLeft(now), lowBalanceMinutes) : BalanceLevel.EXHAUSTED;
    }

    public Admission admissionAt(Instant now, int lowBalanceMinutes) {
      if (!open) return Admission.NOT_OPEN;
      BalanceLevel levelNow = levelAt(now, lowBalanceMinutes);
      Admission.Refusal refusal = levelNow != BalanceLevel.EXHAUSTED ? null
          : plan instanceof Plan.Trial ? Admission.Refusal.PLAN_LIMIT : Admission.Refusal.INSUFFICIENT_FUNDS;
      return new Admission(refusal == null, refusal, levelNow, plan.seatLimit(), plan.callLimit());
    }

    public boolean minuteRecorded(String roomId, int minute) {
      RoomMinutes room = rooms.get(roomId);
      return room != null && room.recorded(minute);
    }

    public WalletView view(String tenantId, Instant now, int lowBalanceMinutes) {
      if (!open) {
        return new WalletView(tenantId, false, null, 0, null, null, null, null, 0, 0L, BalanceLevel.EXHAUSTED,
            Admission.NOT_OPEN, null, now);
      }
      return new WalletView(tenantId, true, currency, balance, plan, scheduledPlan,
          scheduledPlan == null ? null : period.plusMonths(1), period, includedMinutesLeft, minutesLeft(now),
          levelAt(now, lowBalanceMinutes), admissionAt(now, lowBalanceMinutes), usage, now);
    }

    /** When time alone next changes something: the next period's start, or the trial's end. */
    public Optional<Instant> nextDeadline(Instant now) {
      if (!open) return Optional.empty();
      Instant next = startOf(period.plusMonths(1));
      if (plan instanceof Plan.Trial trial && trial.endsAt().isAfter(now) && trial.endsAt().isBefore(next)) {
        next = trial.endsAt();
      }
      return Optional.of(next);
    }

    // Decisions

    /**
     * The periods that started since the last event, up to {@code now}'s: each with its plan (a
     * scheduled downgrade comes into force) and a subscription's fee, dated at the period's start.
     */
    public List<Event> periodsSince(Instant now) {
      List<Event> events = new ArrayList<>();
      State state = this;
      while (state.open && state.period.isBefore(periodOf(now))) {
        YearMonth next = state.period.plusMonths(1);
        Instant start = max(startOf(next), state.lastEventAt);
        Plan plan = state.scheduledPlan != null ? state.scheduledPlan : state.plan;
        // A trial's free minutes are for the whole trial; a subscription's are per period.
        int included = plan instanceof Plan.Trial ? state.includedMinutesLeft : included(plan);
        List<Event> step = new ArrayList<>();
        step.add(new PeriodStarted(next, plan, included, start));
        if (plan instanceof Plan.Subscription subscription && subscription.monthlyFee() > 0) {
          step.add(new Debited("plan-fee:" + next, DebitKind.PLAN_FEE, subscription.monthlyFee(),
              state.balance - subscription.monthlyFee(), null, null, false, start));
        }
        events.addAll(step);
        state = state.applyAll(step);
      }
      return events;
    }

    /** The debit of one call minute: free while the plan includes it, else at the plan's rate. */
    public Debited minuteDebit(String roomId, int minute, Instant now) {
      boolean included = includedMinutesLeft > 0
          && !(plan instanceof Plan.Trial trial && !now.isBefore(trial.endsAt()));
      // A trial's minute beyond its free ones (a call's grace minute) is free as well: a trial has no rate.
      long amount = included ? 0 : plan.overageRate();
      return new Debited("minute:" + roomId + ":" + minute, DebitKind.CALL_MINUTE, amount, balance - amount,
          roomId, minute, included, now);
    }

    /**
     * The events of a plan change at {@code now}: in force at once with the rest of the month's
     * fee difference charged, or scheduled for the next period.
     */
    public List<Event> planChange(Plan to, Instant now) {
      if (to.equals(plan)) {
        return scheduledPlan == null ? List.of() : List.of(new ScheduledPlanChangeCancelled(scheduledPlan, now));
      }
      if (!Plan.takesEffectNow(plan, to)) {
        return to.equals(scheduledPlan) ? List.of() : List.of(new PlanChangeScheduled(to, period.plusMonths(1), now));
      }
      List<Event> events = new ArrayList<>();
      long fee = 0;
      int included = 0;
      if (to instanceof Plan.Trial next && plan instanceof Plan.Trial current) {
        // Extending a trial: the minutes used so far still count against the new allowance.
        int used = current.freeMinutes() - includedMinutesLeft;
        included = Math.max(0, next.freeMinutes() - used);
      } else if (to instanceof Plan.Subscription next) {
        long feeBefore = plan instanceof Plan.Subscription current ? current.monthlyFee() : 0;
        int includedBefore = plan instanceof Plan.Subscription current ? current.includedMinutes() : 0;
        int carried = plan instanceof Plan.Subscription ? includedMinutesLeft : 0;
        fee = prorated(next.monthlyFee() - feeBefore, now);
        included = (int) Math.max(0, carried + prorated(next.includedMinutes() - includedBefore, now));
      }
      events.add(new PlanChanged(plan, to, included, now));
      if (fee > 0) {
        events.add(new Debited("plan-fee:" + period + ":upgrade:" + now.toEpochMilli(), DebitKind.PLAN_FEE, fee,
            balance - fee, null, null, false, now));
      }
      return events;
    }

    /** The level event to record when the events just decided moved the wallet to another level. */
    public Optional<Event> levelChange(Instant now, int lowBalanceMinutes) {
      BalanceLevel next = levelAt(now, lowBalanceMinutes);
      if (!open || next == level) return Optional.empty();
      return Optional.of(new BalanceLevelChanged(level, next, balance, minutesLeft(now), now));
    }

    // Transitions

    public State applyAll(List<? extends Event> events) {
      State next = this;
      for (Event event : events) next = next.apply(event);
      return next;
    }

    public State apply(Event event) {
      Instant at = max(event.at(), lastEventAt);
      if (event instanceof WalletOpened e) {
        return new State(true, e.currency(), e.plan(), null, e.period(), included(e.plan()), 0, BalanceLevel.OK,
            emptyUsage(e.period()), at, Map.of(), Map.of());
      }
      State next = withLastEventAt(at);
      if (event instanceof Credited e) {
        Map<String, RecentCredit> nextCredits = new HashMap<>(credits);
        nextCredits.put(e.reference(), new RecentCredit(e.kind(), e.amount(), e.balanceAfter(), period));
        return next.withBalance(Math.addExact(balance, e.amount())).withCredits(nextCredits);
      }
      if (event instanceof Debited e) return next.debited(e);
      if (event instanceof PlanChanged e) {
        return next.withPlan(e.to()).withScheduledPlan(null).withIncludedMinutesLeft(e.includedMinutesLeft());
      }
      if (event instanceof PlanChangeScheduled e) return next.withScheduledPlan(e.to());
      if (event instanceof ScheduledPlanChangeCancelled) return next.withScheduledPlan(null);
      if (event instanceof PeriodStarted e) {
        // Credits are remembered for this period and the previous one.
        Map<String, RecentCredit> kept = new HashMap<>(credits);
        kept.values().removeIf(credit -> credit.period().isBefore(e.period().minusMonths(1)));
        return next.withPlan(e.plan()).withScheduledPlan(null).withPeriod(e.period())
            .withIncludedMinutesLeft(e.includedMinutesLeft()).withUsage(emptyUsage(e.period())).withCredits(kept);
      }
      if (event instanceof BalanceLevelChanged e) return next.withLevel(e.to());
      throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    private State debited(Debited e) {
      State next = withBalance(Math.subtractExact(balance, e.amount()));
      if (e.kind() == DebitKind.PLAN_FEE) {
        return next.withUsage(new WalletView.Usage(usage.period(), usage.minutes(), usage.includedMinutes(),
            usage.minuteAmount(), usage.planFees() + e.amount()));
      }
      Map<String, RoomMinutes> nextRooms = new HashMap<>(rooms);
      RoomMinutes room = nextRooms.get(e.roomId());
      if (room == null) {
        // A new call: forget rooms quiet for longer than any retry of theirs can take.
        Instant horizon = e.at().minus(ROOM_MEMORY);
        nextRooms.values().removeIf(r -> r.lastTickAt().isBefore(horizon));
        room = new RoomMinutes(-1, Set.of(), e.at());
      }
      nextRooms.put(e.roomId(), room.with(e.minuteIndex(), e.at()));
      return next.withRooms(nextRooms)
          .withIncludedMinutesLeft(e.included() ? includedMinutesLeft - 1 : includedMinutesLeft)
          .withUsage(new WalletView.Usage(usage.period(), usage.minutes() + 1,
              usage.includedMinutes() + (e.included() ? 1 : 0), usage.minuteAmount() + e.amount(), usage.planFees()));
    }

    // One field changed, the rest kept (as in TenantQueue.State).

    State withPlan(Plan next) {
      return new State(open, currency, next, scheduledPlan, period, includedMinutesLeft, balance, level, usage,
          lastEventAt, rooms, credits);
    }

    State withScheduledPlan(Plan next) {
      return new State(open, currency, plan, next, period, includedMinutesLeft, balance, level, usage, lastEventAt,
          rooms, credits);
    }

    State withPeriod(YearMonth next) {
      return new State(open, currency, plan, scheduledPlan, next, includedMinutesLeft, balance, level, usage,
          lastEventAt, rooms, credits);
    }

    State withIncludedMinutesLeft(int next) {
      return new State(open, currency, plan, scheduledPlan, period, next, balance, level, usage, lastEventAt, rooms,
          credits);
    }

    State withBalance(long next) {
      return new State(open, currency, plan, scheduledPlan, period, includedMinutesLeft, next, level, usage,
          lastEventAt, rooms, credits);
    }

    State withLevel(BalanceLevel next) {
      return new State(open, currency, plan, scheduledPlan, period, includedMinutesLeft, balance, next, usage,
          lastEventAt, rooms, credits);
    }

    State withUsage(WalletView.Usage next) {
      return new State(open, currency, plan, scheduledPlan, period, includedMinutesLeft, balance, level, next,
          lastEventAt, rooms, credits);
    }

    State withLastEventAt(Instant next) {
      return new State(open, currency, plan, scheduledPlan, period, includedMinutesLeft, balance, level, usage, next,
          rooms, credits);
    }

    State withRooms(Map<String, RoomMinutes> next) {
      return new State(open, currency, plan, scheduledPlan, period, includedMinutesLeft, balance, level, usage,
          lastEventAt, next, credits);
    }

    State withCredits(Map<String, RecentCredit> next) {
      return new State(open, currency, plan, scheduledPlan, period, includedMinutesLeft, balance, level, usage,
          lastEventAt, rooms, next);
    }

    /** The minutes a plan includes when it starts. */
    static int included(Plan plan) {
      if (plan instanceof Plan.Trial trial) return trial.freeMinutes();
      if (plan instanceof Plan.Subscription subscription) return subscription.includedMinutes();
      return 0;
    }

    private static WalletView.Usage emptyUsage(YearMonth period) {
      return new WalletView.Usage(period, 0, 0, 0, 0);
    }

    private static Instant max(Instant a, Instant b) {
      return b == null || a.isAfter(b) ? a : b;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The entity

  private final String tenantId;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Clock clock;
  private final int lowBalanceMinutes;
  /** Live only: subscribers subscribe again after the entity restarts elsewhere. */
  private final Set<ActorRef<WalletUpdate>> subscribers = new LinkedHashSet<>();
  private Admission published;

  private Wallet(String tenantId, ActorContext<Command> context, TimerScheduler<Command> timers, Clock clock,
      int lowBalanceMinutes) {
    super(PersistenceId.of(ENTITY_KEY.name(), tenantId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.tenantId = tenantId;
    this.context = context;
    this.timers = timers;
    this.clock = clock;
    this.lowBalanceMinutes = lowBalanceMinutes;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(tagFor(tenantId));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          published = state.admissionAt(clock.instant(), lowBalanceMinutes);
          armTimer(state);
        })
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Command handlers

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return Traced.handler(newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Open.class, this::onOpen)
        .onCommand(Credit.class, this::onCredit)
        .onCommand(DebitMinute.class, this::onDebitMinute)
        .onCommand(ChangePlan.class, this::onChangePlan)
        .onCommand(GetWallet.class, (state, command) ->
            Effect().reply(command.replyTo(), state.view(tenantId, now(state), lowBalanceMinutes)))
        .onCommand(ClockDue.class, (state, command) -> {
          Instant now = now(state);
          return change(state, now, state.periodsSince(now)).thenNoReply();
        })
        .onCommand(Subscribe.class, this::onSubscribe)
        .onCommand(Unsubscribe.class, (state, command) -> unsubscribe(command.subscriber()))
        .onCommand(SubscriberTerminated.class, (state, command) -> unsubscribe(command.subscriber()))
        .build());
  }

  private ReplyEffect<Event, State> onOpen(State state, Open open) {
    Instant now = now(state);
    if (state.open()) {
      return change(state, now, state.periodsSince(now))
          .thenReply(open.replyTo(), after -> after.view(tenantId, now, lowBalanceMinutes));
    }
    if (open.currency() == null || !CURRENCY.matcher(open.currency()).matches()) {
      return Effect().reply(open.replyTo(), new Refused(Refusal.INVALID_CURRENCY));
    }
    if (open.plan() == null || open.plan().invalidBecause().isPresent()) {
      return Effect().reply(open.replyTo(), new Refused(Refusal.INVALID_PLAN));
    }
    return change(state, now, List.of(new WalletOpened(open.currency(), open.plan(), periodOf(now), now)))
        .thenReply(open.replyTo(), after -> after.view(tenantId, now, lowBalanceMinutes));
  }

  private ReplyEffect<Event, State> onCredit(State state, Credit credit) {
    Optional<Refusal> invalid = !state.open() ? Optional.of(Refusal.WALLET_NOT_OPEN)
        : credit.reference() == null || !REFERENCE.matcher(credit.reference()).matches()
            ? Optional.of(Refusal.INVALID_REFERENCE)
            : credit.kind() == null || credit.amount() < 1 || credit.amount() > MAX_CREDIT
                || (credit.note() != null && credit.note().length() > MAX_NOTE)
                ? Optional.of(Refusal.INVALID_AMOUNT) : Optional.empty();
    if (invalid.isPresent()) return Effect().reply(credit.replyTo(), new Refused(invalid.get()));
    Instant now = now(state);
    List<Event> events = new ArrayList<>(state.periodsSince(now));
    State current = state.applyAll(events);
    RecentCredit earlier = current.credits().get(credit.reference());
    if (earlier != null) {
      CreditReply reply = earlier.kind() == credit.kind() && earlier.amount() == credit.amount()
          ? new CreditRecorded(credit.reference(), earlier.kind(), earlier.amount(), earlier.balanceAfter())
          : new Refused(Refusal.REFERENCE_REUSED);
      return change(state, now, events).thenReply(credit.replyTo(), after -> reply);
    }
    long balanceAfter = current.balance() + credit.amount();
    events.add(new Credited(credit.reference(), credit.kind(), credit.amount(), balanceAfter, credit.note(), now));
    return change(state, now, events).thenReply(credit.replyTo(),
        after -> new CreditRecorded(credit.reference(), credit.kind(), credit.amount(), balanceAfter));
  }

  private ReplyEffect<Event, State> onDebitMinute(State state, DebitMinute tick) {
    if (!state.open()) return Effect().reply(tick.replyTo(), new Refused(Refusal.WALLET_NOT_OPEN));
    if (tick.roomId() == null || !ROOM_ID.matcher(tick.roomId()).matches()
        || tick.minuteIndex() < 0 || tick.minuteIndex() > MAX_MINUTE_INDEX) {
      return Effect().reply(tick.replyTo(), new Refused(Refusal.INVALID_TICK));
    }
    Instant now = now(state);
    List<Event> events = new ArrayList<>(state.periodsSince(now));
    State current = state.applyAll(events);
    if (!current.minuteRecorded(tick.roomId(), tick.minuteIndex())) {
      if (tick.minuteAt() != null && tick.minuteAt().isBefore(now.minus(ROOM_MEMORY))
          && !current.rooms().containsKey(tick.roomId())) {
        // Later than the dedup window: the bound that makes "debited once" hold for any delay.
        return change(state, now, events).thenReply(tick.replyTo(), after -> new Refused(Refusal.STALE_TICK));
      }
      events.add(current.minuteDebit(tick.roomId(), tick.minuteIndex(), now));
    }
    MinuteRecorded recorded = new MinuteRecorded(tick.roomId(), tick.minuteIndex());
    return change(state, now, events).thenReply(tick.replyTo(), after -> recorded);
  }

  private ReplyEffect<Event, State> onChangePlan(State state, ChangePlan command) {
    if (!state.open()) return Effect().reply(command.replyTo(), new Refused(Refusal.WALLET_NOT_OPEN));
    if (command.plan() == null || command.plan().invalidBecause().isPresent()) {
      return Effect().reply(command.replyTo(), new Refused(Refusal.INVALID_PLAN));
    }
    Instant now = now(state);
    List<Event> events = new ArrayList<>(state.periodsSince(now));
    State current = state.applyAll(events);
    if (command.plan() instanceof Plan.Trial && !(current.plan() instanceof Plan.Trial)) {
      return change(state, now, events)
          .thenReply(command.replyTo(), after -> new Refused(Refusal.INVALID_PLAN_CHANGE));
    }
    List<Event> change = current.planChange(command.plan(), now);
    long fee = change.stream().filter(Debited.class::isInstance).mapToLong(e -> ((Debited) e).amount()).sum();
    events.addAll(change);
    return change(state, now, events).thenReply(command.replyTo(), after -> new PlanChangeAccepted(
        after.plan(), after.scheduledPlan(), after.scheduledPlan() == null ? null : after.period().plusMonths(1), fee));
  }

  private ReplyEffect<Event, State> onSubscribe(State state, Subscribe command) {
    return Effect().none()
        .thenRun(current -> {
          if (subscribers.add(command.subscriber())) {
            context.watchWith(command.subscriber(), new SubscriberTerminated(command.subscriber()));
          }
          command.subscriber().tell(new WalletUpdate(context.getSelf(), tenantId,
              current.admissionAt(now(current), lowBalanceMinutes)));
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> unsubscribe(ActorRef<WalletUpdate> subscriber) {
    return Effect().none()
        .thenRun(current -> {
          if (subscribers.remove(subscriber)) context.unwatch(subscriber);
        })
        .thenNoReply();
  }

  /**
   * Persists the events plus the level change they cause, all in one atomic write, then logs
   * them, re-arms the timer and tells subscribers when the admission changed (with the command's
   * request id, {@link Traced#carrying}). Nothing to persist: only the admission is looked at
   * again (time alone may have changed it).
   */
  private EffectBuilder<Event, State> change(State state, Instant now, List<Event> events) {
    List<Event> all = new ArrayList<>(events);
    state.applyAll(events).levelChange(now, lowBalanceMinutes).ifPresent(all::add);
    if (all.isEmpty()) return Effect().none().thenRun(Traced.carrying(this::publishIfChanged));
    List<Event> persisted = List.copyOf(all);
    return Effect().persist(persisted).thenRun(Traced.carrying(after -> {
      persisted.forEach(this::log);
      armTimer(after);
      publishIfChanged(after);
    }));
  }

  /** A line per recorded change of money or plan (amounts in minor units; a credit's note is not logged). */
  private void log(Event event) {
    var log = context.getLog();
    if (event instanceof WalletOpened e) {
      log.info("The wallet of tenant {} opens in {} on {}", tenantId, e.currency(), e.plan());
    } else if (event instanceof Credited e) {
      log.info("The wallet of tenant {} is credited {} ({}, reference {}): balance {}", tenantId, e.amount(),
          e.kind().code(), e.reference(), e.balanceAfter());
    } else if (event instanceof Debited e && e.kind() == DebitKind.PLAN_FEE) {
      log.info("The wallet of tenant {} is charged a plan fee of {} (reference {}): balance {}", tenantId, e.amount(),
          e.reference(), e.balanceAfter());
    } else if (event instanceof Debited e) {
      log.debug("The wallet of tenant {} is debited {} for minute {} of room {}{}: balance {}", tenantId, e.amount(),
          e.minuteIndex(), e.roomId(), e.included() ? " (included)" : "", e.balanceAfter());
    } else if (event instanceof PlanChanged e) {
      log.info("The wallet of tenant {} changes plan from {} to {}", tenantId, e.from(), e.to());
    } else if (event instanceof PlanChangeScheduled e) {
      log.info("The wallet of tenant {} changes plan to {} from {}", tenantId, e.to(), e.from());
    } else if (event instanceof ScheduledPlanChangeCancelled e) {
      log.info("The wallet of tenant {} no longer changes plan to {}", tenantId, e.cancelled());
    } else if (event instanceof PeriodStarted e) {
      log.info("The wallet of tenant {} starts period {} on {}", tenantId, e.period(), e.plan());
    } else if (event instanceof BalanceLevelChanged e) {
      log.info("The wallet of tenant {} goes from {} to {}: balance {}, minutes left {}", tenantId, e.from(), e.to(),
          e.balance(), e.minutesLeft());
    }
  }

  /** Events are never dated before the latest one, so a node whose clock lags cannot reorder the ledger. */
  private Instant now(State state) {
    Instant now = clock.instant();
    return state.lastEventAt() != null && state.lastEventAt().isAfter(now) ? state.lastEventAt() : now;
  }

  private void armTimer(State state) {
    Optional<Instant> deadline = state.nextDeadline(clock.instant());
    if (deadline.isEmpty()) return;
    Duration delay = Duration.between(clock.instant(), deadline.get());
    timers.startSingleTimer(ClockDue.INSTANCE, ClockDue.INSTANCE, delay.isNegative() ? Duration.ZERO : delay);
  }

  private void publishIfChanged(State state) {
    Admission admission = state.admissionAt(now(state), lowBalanceMinutes);
    if (admission.equals(published)) return;
    context.getLog().info("The wallet of tenant {} now admits: {}", tenantId, admission);
    published = admission;
    WalletUpdate update = new WalletUpdate(context.getSelf(), tenantId, admission);
    subscribers.forEach(subscriber -> subscriber.tell(update));
  }

  // ---------------------------------------------------------------------------------------------
  // Event handlers

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }
}
