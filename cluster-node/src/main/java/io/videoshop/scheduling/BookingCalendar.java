package io.videoshop.scheduling;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.videoshop.persistence.CborSerializable;
import io.videoshop.tenant.BusinessHours;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import java.util.Set;

/**
 * One tenant's bookings: the policy, every agent's working hours and the bookings made. One
 * event-sourced entity per tenant (entity id = tenant id), placed on some node by Cluster
 * Sharding, so every booking of the tenant, from whichever node, is decided by this one actor,
 * one command at a time, against the state its own events built: two shoppers never get the same
 * agent's time. Per tenant rather than per agent because a booking without a chosen agent picks
 * among all of them (round robin, the least recently booked first) in the same decision.
 *
 * <p>The tenant's time zone and business hours come with the commands that need them (the
 * tenant's settings are the truth for those, in the tenants table). Decisions are pure methods of
 * {@link State}; the lists are served by {@link BookingsProjection}'s read model. See
 * docs/scheduling.md.
 */
public final class BookingCalendar
    extends EventSourcedBehaviorWithEnforcedReplies<BookingCalendar.Command, BookingCalendar.Event, BookingCalendar.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "BookingCalendar");

  /** Projections read events by tag; the number of tags is fixed once events exist. */
  public static final int TAG_COUNT = 4;

  public static final List<String> TAGS =
      IntStream.range(0, TAG_COUNT).mapToObj(slice -> ENTITY_KEY.name() + "-" + slice).toList();

  /** Bookings that ended longer ago than this leave the entity's state (the read model keeps them). */
  public static final Duration KEPT_AFTER_END = Duration.ofDays(2);

  /**
   * @param clock the node's clock: the calendar's deadlines (the no-show check) are outbox rows
   *     due by that clock, and the calendar judges them by the same one
   */
  public static void init(ActorSystem<?> system, Clock clock) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, entity -> create(entity.getEntityId(), clock)));
  }

  public static Behavior<Command> create(String tenantId, Clock clock) {
    return new BookingCalendar(tenantId, clock);
  }

  public static String tagFor(String tenantId) {
    return TAGS.get(Math.abs(tenantId.hashCode() % TAG_COUNT));
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  public sealed interface Command extends CborSerializable {}

  /** The tenant's zone and business hours, as its settings say now. */
  public record TenantHours(String timeZone, BusinessHours businessHours) implements CborSerializable {
    @JsonIgnore
    public ZoneId zone() {
      return ZoneId.of(timeZone);
    }
  }

  public record SetPolicy(BookingPolicy policy, ActorRef<ScheduleReply> replyTo) implements Command {}

  public record SetWorkingHours(String agentId, WorkingHours hours, ActorRef<ScheduleReply> replyTo)
      implements Command {}

  public record GetSchedule(ActorRef<ScheduleReply> replyTo) implements Command {
    @JsonCreator
    public GetSchedule {}
  }

  /** The bookable slots starting in {@code [from, to)}; {@code agentId} null: with any agent. */
  public record GetSlots(TenantHours tenant, Instant from, Instant to, String agentId, ActorRef<Slots> replyTo)
      implements Command {}

  /** Books {@code start} with {@code agentId}, or (null) with the least recently booked agent free then. */
  public record Book(TenantHours tenant, String bookingId, Instant start, String agentId, BookingDetails details,
      ActorRef<BookingReply> replyTo) implements Command {}

  /**
   * Moves a booking to {@code start}: with the same agent when free; a booking whose agent was
   * assigned (not chosen) moves to another free agent otherwise. {@code byShopper}: the change
   * notice applies.
   */
  public record Reschedule(TenantHours tenant, String bookingId, Instant start, boolean byShopper,
      ActorRef<BookingReply> replyTo) implements Command {}

  public record Reassign(TenantHours tenant, String bookingId, String agentId, ActorRef<BookingReply> replyTo)
      implements Command {}

  public record Cancel(String bookingId, String reason, boolean byShopper, ActorRef<BookingReply> replyTo)
      implements Command {}

  public record GetBooking(String bookingId, ActorRef<BookingReply> replyTo) implements Command {}

  /**
   * The booked shopper arrives to join the queue: answered {@link Arrival} when the booking may be
   * joined now (booked, from the policy's early arrival before its start until its end), else
   * refused. Decides nothing persistent: the queue holds the arrival.
   */
  public record Arrive(String bookingId, ActorRef<BookingReply> replyTo) implements Command {}

  /**
   * Records how a booking turned out once its time has come: attended (with the call's room id) or
   * a no-show. {@code onlyForAgentId}: when set (an agent, not an admin), only that agent's booking.
   */
  public record RecordOutcome(String bookingId, Outcome outcome, String roomId, String onlyForAgentId,
      ActorRef<BookingReply> replyTo) implements Command {}

  public enum Outcome {
    ATTENDED,
    NO_SHOW,
    /** The shopper came (joined the queue as the booking) but no call took place by its end. */
    MISSED
  }

  /**
   * The booked shopper joined the tenant's queue as this booking (told by
   * {@link BookedArrivalsProjection}); once is enough, a second time changes nothing.
   */
  public record ShopperArrived(String bookingId, ActorRef<BookingReply> replyTo) implements Command {}

  /**
   * The booking's no-show time may have come (an outbox row due then, {@link CalendarChannel}):
   * marks the booking a no-show if it is still {@code sequence}, booked, the shopper has not
   * arrived and the time has come; otherwise changes nothing.
   */
  public record CheckNoShow(String bookingId, int sequence, ActorRef<BookingReply> replyTo) implements Command {}

  /**
   * The booking's end may have come (an outbox row due then, {@link CalendarChannel}): marks the
   * booking missed if it is still {@code sequence} and booked, its shopper came and left the queue
   * without a call, and the end has come; otherwise changes nothing (a shopper still waiting is
   * decided when the queue accepts or loses them, see {@link ShopperLeft}).
   */
  public record CheckMissed(String bookingId, int sequence, ActorRef<BookingReply> replyTo) implements Command {}

  /**
   * The booked shopper's ticket left the queue without a call (they left, or the queue gave up on
   * them; told by {@link BookedArrivalsProjection}): after the booking's end that makes it missed.
   */
  public record ShopperLeft(String bookingId, ActorRef<BookingReply> replyTo) implements Command {}

  /**
   * Corrects the shopper's details (a data rights correction): the new details, encrypted under
   * the booking's own data subject, replace the old in a new event; cancelled bookings too.
   */
  public record CorrectDetails(String bookingId, BookingDetails details, ActorRef<BookingReply> replyTo)
      implements Command {}

  // Replies

  public sealed interface ScheduleReply extends CborSerializable {}

  public sealed interface BookingReply extends CborSerializable {}

  /** The policy and every agent's hours that were set. */
  public record Schedule(BookingPolicy policy, Map<String, WorkingHours> agents) implements ScheduleReply {}

  public record Slots(List<Slot> slots) implements CborSerializable {
    @JsonCreator
    public Slots {}
  }

  /** A bookable slot with the agents free for it. */
  public record Slot(Instant start, Instant end, List<String> agentIds) implements CborSerializable {}

  public record BookingAccepted(Booking booking) implements BookingReply {
    @JsonCreator
    public BookingAccepted {}
  }

  /**
   * A booking its shopper may join now, with the policy's times for the shopper's side.
   *
   * @param bookedAgentWindow how long the booked agent alone is offered the arrived shopper
   */
  public record Arrival(Booking booking, Duration bookedAgentWindow) implements BookingReply {}

  public record Refused(BookingRefusal reason) implements BookingReply, ScheduleReply {
    @JsonCreator
    public Refused {}
  }

  /** The no-show check came before the booking's no-show time (the policy's time was raised since). */
  public record NotYet(Instant dueAt) implements BookingReply {
    @JsonCreator
    public NotYet {}
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = PolicySet.class, name = "PolicySet"),
    @JsonSubTypes.Type(value = WorkingHoursSet.class, name = "WorkingHoursSet"),
    @JsonSubTypes.Type(value = BookingMade.class, name = "BookingMade"),
    @JsonSubTypes.Type(value = BookingRescheduled.class, name = "BookingRescheduled"),
    @JsonSubTypes.Type(value = BookingReassigned.class, name = "BookingReassigned"),
    @JsonSubTypes.Type(value = BookingCancelled.class, name = "BookingCancelled"),
    @JsonSubTypes.Type(value = BookingOutcomeRecorded.class, name = "BookingOutcomeRecorded"),
    @JsonSubTypes.Type(value = BookingDetailsCorrected.class, name = "BookingDetailsCorrected"),
    @JsonSubTypes.Type(value = BookingShopperArrived.class, name = "BookingShopperArrived"),
    @JsonSubTypes.Type(value = BookingShopperLeft.class, name = "BookingShopperLeft")
  })
  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  public record PolicySet(BookingPolicy policy, Instant at) implements Event {}

  public record WorkingHoursSet(String agentId, WorkingHours hours, Instant at) implements Event {}

  /** A booking made: the domain event behind the confirmation mail, its invitation and the reminders. */
  public record BookingMade(Booking booking, Instant at) implements Event {}

  /** The booking moved; {@code sequence} is the invitation's new SEQUENCE. */
  public record BookingRescheduled(String bookingId, String agentId, Instant start, Instant end, int sequence,
      Instant at) implements Event {}

  public record BookingReassigned(String bookingId, String fromAgentId, String toAgentId, int sequence, Instant at)
      implements Event {}

  public record BookingCancelled(String bookingId, String reason, boolean byShopper, int sequence, Instant at)
      implements Event {}

  /** How the booking turned out; {@code roomId} is the call's room when attended. */
  public record BookingOutcomeRecorded(String bookingId, Outcome outcome, String roomId, Instant at) implements Event {}

  /** The booked shopper joined the queue for the booking: from now on not a no-show. */
  public record BookingShopperArrived(String bookingId, Instant at) implements Event {}

  /** The booked shopper's ticket left the queue without a call, before the booking's end. */
  public record BookingShopperLeft(String bookingId, Instant at) implements Event {}

  /** The shopper's details corrected (encrypted under the same subject); every read shows the new ones. */
  public record BookingDetailsCorrected(String bookingId, BookingDetails details, Instant at) implements Event {}

  // ---------------------------------------------------------------------------------------------
  // State: pure transitions, testable without actors.

  public enum Status {
    BOOKED,
    CANCELLED,
    ATTENDED,
    NO_SHOW,
    MISSED
  }

  /**
   * One booking. What reminders and the arrival at the time need is here: the start, the agent,
   * the status, the shopper's zone and (encrypted) email, and the invitation's sequence.
   *
   * @param agentChosen the shopper chose the agent (else the calendar assigned one)
   * @param sequence the ICS SEQUENCE: 0 when made, raised by every change
   * @param arrivedAt when the shopper first joined the queue as this booking; null: not yet
   * @param leftAt when the shopper's ticket last left the queue without a call; null: still there
   *     (or never came)
   */
  public record Booking(String id, String agentId, boolean agentChosen, Instant start, Instant end, Status status,
      int sequence, BookingDetails details, Instant createdAt, Instant updatedAt, Instant arrivedAt, Instant leftAt)
      implements CborSerializable {

    /** The shopper was in the queue for it at or after its start (arriving early and leaving early is no-show). */
    @JsonIgnore
    public boolean shopperCame() {
      return arrivedAt != null && (leftAt == null || !leftAt.isBefore(start));
    }

    /** The shopper came and is waiting in the queue now. */
    @JsonIgnore
    public boolean shopperWaiting() {
      return arrivedAt != null && leftAt == null;
    }

    @JsonIgnore
    public boolean active() {
      return status == Status.BOOKED;
    }

    /** Another agent or time; an arrival for the old time does not count for a new one. */
    Booking movedTo(String agent, Instant newStart, Instant newEnd, int newSequence, Instant at) {
      return new Booking(id, agent, agentChosen, newStart, newEnd, status, newSequence, details, createdAt, at,
          newStart.equals(start) ? arrivedAt : null, newStart.equals(start) ? leftAt : null);
    }

    Booking withOutcome(Outcome outcome, Instant at) {
      return new Booking(id, agentId, agentChosen, start, end,
          switch (outcome) {
            case ATTENDED -> Status.ATTENDED;
            case NO_SHOW -> Status.NO_SHOW;
            case MISSED -> Status.MISSED;
          }, sequence, details, createdAt, at, arrivedAt, leftAt);
    }

    /** Holds its agent's time: booked, or already held (attended, no-show); only a cancellation frees it. */
    @JsonIgnore
    public boolean holdsTime() {
      return status != Status.CANCELLED;
    }

    Booking cancelled(int newSequence, Instant at) {
      return new Booking(id, agentId, agentChosen, start, end, Status.CANCELLED, newSequence, details, createdAt, at,
          arrivedAt, leftAt);
    }

    /** Joined the queue (again): the first arrival counts, and the shopper is there now. */
    Booking arrived(Instant at) {
      return new Booking(id, agentId, agentChosen, start, end, status, sequence, details, createdAt, updatedAt,
          arrivedAt == null ? at : arrivedAt, null);
    }

    Booking left(Instant at) {
      return new Booking(id, agentId, agentChosen, start, end, status, sequence, details, createdAt, updatedAt,
          arrivedAt, at);
    }

    /** The same booking with the shopper's corrected details. */
    public Booking withDetails(BookingDetails corrected, Instant at) {
      return new Booking(id, agentId, agentChosen, start, end, status, sequence, corrected, createdAt, at, arrivedAt,
          leftAt);
    }
  }

  /** What a command decided: the event to persist, or why not. */
  public record Decision(Event event, BookingRefusal refusal) {
    static Decision to(Event event) {
      return new Decision(event, null);
    }

    static Decision refuse(BookingRefusal refusal) {
      return new Decision(null, refusal);
    }
  }

  /**
   * @param lastBookedAt when each agent was last given a booking: round robin picks the least recent
   */
  public record State(BookingPolicy policy, Map<String, WorkingHours> agents, Map<String, Booking> bookings,
      Map<String, Instant> lastBookedAt) implements CborSerializable {

    public static final State EMPTY = new State(BookingPolicy.defaults(), Map.of(), Map.of(), Map.of());

    public State {
      agents = Map.copyOf(agents);
      bookings = Map.copyOf(bookings);
      lastBookedAt = Map.copyOf(lastBookedAt);
    }

    // Queries

    public List<Slot> slots(TenantHours tenant, Instant from, Instant to, String agentId, Instant now) {
      return availability(tenant, null).slots(from, to, now, agentId).stream()
          .map(slot -> new Slot(slot.start(), slot.end(), slot.agentIds())).toList();
    }

    Availability availability(TenantHours tenant, String ignoring) {
      return new Availability(tenant, policy, agents, bookings.values(), ignoring);
    }

    /** Of the free agents, the one booked least recently (never booked first; then by id). */
    String nextInTurn(List<String> free) {
      return free.stream().min(Comparator
          .comparing((String agent) -> lastBookedAt.getOrDefault(agent, Instant.EPOCH))
          .thenComparing(Comparator.naturalOrder())).orElseThrow();
    }

    // Decisions

    public Decision setPolicy(BookingPolicy newPolicy, Instant now) {
      if (newPolicy == null || !newPolicy.problems().isEmpty()) return Decision.refuse(BookingRefusal.INVALID_POLICY);
      return Decision.to(new PolicySet(newPolicy, now));
    }

    public Decision setWorkingHours(String agentId, WorkingHours hours, Instant now) {
      if (agentId == null || agentId.isBlank() || hours == null || !hours.problems().isEmpty()) {
        return Decision.refuse(BookingRefusal.INVALID_WORKING_HOURS);
      }
      return Decision.to(new WorkingHoursSet(agentId, hours, now));
    }

    public Decision book(TenantHours tenant, String bookingId, Instant start, String agentId, BookingDetails details,
        Instant now) {
      if (bookings.containsKey(bookingId)) return Decision.refuse(BookingRefusal.BOOKING_EXISTS);
      if (details == null || !details.wellFormed()) return Decision.refuse(BookingRefusal.INVALID_DETAILS);
      Availability.Check check = availability(tenant, null).check(start, now, agentId);
      if (check.refusal() != null) return Decision.refuse(check.refusal());
      String agent = agentId != null ? agentId : nextInTurn(check.agentIds());
      return Decision.to(new BookingMade(new Booking(bookingId, agent, agentId != null, start,
          start.plus(policy.slotLength()), Status.BOOKED, 0, details, now, now, null, null), now));
    }

    public Decision reschedule(TenantHours tenant, String bookingId, Instant start, boolean byShopper, Instant now) {
      Booking booking = bookings.get(bookingId);
      BookingRefusal refusal = changeable(booking, byShopper, now);
      if (refusal != null) return Decision.refuse(refusal);
      Availability availability = availability(tenant, bookingId);
      Availability.Check withSame = availability.check(start, now, booking.agentId());
      String agent;
      if (withSame.refusal() == null) {
        agent = booking.agentId();
      } else if (withSame.refusal() == BookingRefusal.SLOT_TAKEN || withSame.refusal() == BookingRefusal.AGENT_NOT_BOOKABLE) {
        if (booking.agentChosen()) return Decision.refuse(BookingRefusal.SLOT_TAKEN);
        Availability.Check withAny = availability.check(start, now, null);
        if (withAny.refusal() != null) return Decision.refuse(withAny.refusal());
        agent = nextInTurn(withAny.agentIds());
      } else {
        return Decision.refuse(withSame.refusal());
      }
      return Decision.to(new BookingRescheduled(bookingId, agent, start, start.plus(policy.slotLength()),
          booking.sequence() + 1, now));
    }

    /** An admin gives the booking to another agent, who must be free then; no notice applies. */
    public Decision reassign(TenantHours tenant, String bookingId, String agentId, Instant now) {
      Booking booking = bookings.get(bookingId);
      BookingRefusal refusal = changeable(booking, false, now);
      if (refusal != null) return Decision.refuse(refusal);
      if (!agents.getOrDefault(agentId, WorkingHours.notBookable()).takesBookings()) {
        return Decision.refuse(BookingRefusal.AGENT_NOT_BOOKABLE);
      }
      if (agentId.equals(booking.agentId())) return Decision.to(null);
      if (availability(tenant, bookingId).freeAgents(booking.start(), booking.end(), agentId).isEmpty()) {
        return Decision.refuse(BookingRefusal.SLOT_TAKEN);
      }
      return Decision.to(new BookingReassigned(bookingId, booking.agentId(), agentId, booking.sequence() + 1, now));
    }

    public Decision cancel(String bookingId, String reason, boolean byShopper, Instant now) {
      Booking booking = bookings.get(bookingId);
      BookingRefusal refusal = changeable(booking, byShopper, now);
      if (refusal != null) return Decision.refuse(refusal);
      String why = reason == null ? null : reason.substring(0, Math.min(reason.length(), 500));
      return Decision.to(new BookingCancelled(bookingId, why, byShopper, booking.sequence() + 1, now));
    }

    /** Attended or no-show, once the booking's time has come; once only. */
    public Decision recordOutcome(String bookingId, Outcome outcome, String roomId, String onlyForAgentId, Instant now) {
      Booking booking = bookings.get(bookingId);
      if (booking == null) return Decision.refuse(BookingRefusal.BOOKING_NOT_FOUND);
      if (onlyForAgentId != null && !onlyForAgentId.equals(booking.agentId())) {
        return Decision.refuse(BookingRefusal.NOT_YOUR_BOOKING);
      }
      if (outcome == null || (outcome == Outcome.ATTENDED && (roomId == null || roomId.isBlank() || roomId.length() > 64))) {
        return Decision.refuse(BookingRefusal.INVALID_OUTCOME);
      }
      if (booking.status() == Status.CANCELLED) return Decision.refuse(BookingRefusal.BOOKING_CANCELLED);
      if (booking.status() != Status.BOOKED) return Decision.refuse(BookingRefusal.OUTCOME_RECORDED);
      if (now.isBefore(booking.start())) return Decision.refuse(BookingRefusal.OUTCOME_TOO_EARLY);
      return Decision.to(new BookingOutcomeRecorded(bookingId, outcome, outcome == Outcome.ATTENDED ? roomId : null, now));
    }

    /**
     * The shopper joined the queue as the booking: recorded (it keeps the booking from being a
     * no-show), and again after they left; while they wait, or for a booking no longer booked,
     * nothing changes.
     */
    public Decision arrive(String bookingId, Instant now) {
      Booking booking = bookings.get(bookingId);
      if (booking == null) return Decision.refuse(BookingRefusal.BOOKING_NOT_FOUND);
      if (!booking.active() || booking.shopperWaiting()) return Decision.to(null);
      return Decision.to(new BookingShopperArrived(bookingId, now));
    }

    /**
     * The shopper's ticket left the queue without a call: before the booking's end that is noted
     * (they may come back); from its end on the booking is missed. Not waiting, or no longer
     * booked (attended, cancelled): nothing changes.
     */
    public Decision leave(String bookingId, Instant now) {
      Booking booking = bookings.get(bookingId);
      if (booking == null) return Decision.refuse(BookingRefusal.BOOKING_NOT_FOUND);
      if (!booking.active() || !booking.shopperWaiting()) return Decision.to(null);
      if (now.isBefore(booking.end())) return Decision.to(new BookingShopperLeft(bookingId, now));
      return Decision.to(new BookingOutcomeRecorded(bookingId, Outcome.MISSED, null, now));
    }

    /**
     * Missed, decided when the check at the booking's end comes: still that sequence and booked,
     * the shopper came and has left the queue, and the end has come. A shopper still waiting is
     * left to the queue (an accepted call is attended; leaving is {@link #leave}); a shopper who
     * never came is the no-show check's. Before the end, {@link BookingRefusal#OUTCOME_TOO_EARLY}.
     */
    public Decision missed(String bookingId, int sequence, Instant now) {
      Booking booking = bookings.get(bookingId);
      if (booking == null) return Decision.refuse(BookingRefusal.BOOKING_NOT_FOUND);
      if (booking.sequence() != sequence || !booking.active() || !booking.shopperCame() || booking.shopperWaiting()) {
        return Decision.to(null);
      }
      if (now.isBefore(booking.end())) return Decision.refuse(BookingRefusal.OUTCOME_TOO_EARLY);
      return Decision.to(new BookingOutcomeRecorded(bookingId, Outcome.MISSED, null, now));
    }

    /** When a booking whose shopper has not arrived counts as a no-show. */
    public Instant noShowAt(Booking booking) {
      return booking.start().plus(policy.noShowAfter());
    }

    /**
     * A no-show, decided when the check for the booking's {@code sequence} comes: still that
     * sequence (a moved booking has a check of its own), still booked (not attended, cancelled or
     * marked already), the shopper did not come (never arrived, or arrived early and left before the
     * start), and its no-show time has come. Anything else is
     * no change ({@code Decision.to(null)}); before the time, {@link BookingRefusal#OUTCOME_TOO_EARLY}.
     */
    public Decision noShow(String bookingId, int sequence, Instant now) {
      Booking booking = bookings.get(bookingId);
      if (booking == null) return Decision.refuse(BookingRefusal.BOOKING_NOT_FOUND);
      if (booking.sequence() != sequence || !booking.active() || booking.shopperCame()) return Decision.to(null);
      if (now.isBefore(noShowAt(booking))) return Decision.refuse(BookingRefusal.OUTCOME_TOO_EARLY);
      return Decision.to(new BookingOutcomeRecorded(bookingId, Outcome.NO_SHOW, null, now));
    }

    /** Its shopper may join the queue for it now: booked, from the early arrival before its start to its end. */
    public BookingReply arrival(String bookingId, Instant now) {
      Booking booking = bookings.get(bookingId);
      if (booking == null) return new Refused(BookingRefusal.BOOKING_NOT_FOUND);
      if (booking.status() == Status.CANCELLED) return new Refused(BookingRefusal.BOOKING_CANCELLED);
      if (!booking.active() || !now.isBefore(booking.end())) return new Refused(BookingRefusal.BOOKING_OVER);
      if (now.isBefore(booking.start().minus(policy.earlyArrival()))) {
        return new Refused(BookingRefusal.ARRIVAL_TOO_EARLY);
      }
      return new Arrival(booking, policy.bookedAgentWindow());
    }

    /** Any booking the calendar still holds; the details must stay under the booking's subject. */
    public Decision correctDetails(String bookingId, BookingDetails details, Instant now) {
      Booking booking = bookings.get(bookingId);
      if (booking == null) return Decision.refuse(BookingRefusal.BOOKING_NOT_FOUND);
      if (details == null || !details.wellFormed() || !details.subjectId().equals(booking.details().subjectId())) {
        return Decision.refuse(BookingRefusal.INVALID_DETAILS);
      }
      return Decision.to(new BookingDetailsCorrected(bookingId, details, now));
    }

    /** A booking that exists, is not cancelled, and (for a shopper) is outside the change notice. */
    private BookingRefusal changeable(Booking booking, boolean byShopper, Instant now) {
      if (booking == null) return BookingRefusal.BOOKING_NOT_FOUND;
      if (booking.status() == Status.CANCELLED) return BookingRefusal.BOOKING_CANCELLED;
      if (!booking.active()) return BookingRefusal.CHANGE_TOO_LATE; // its outcome is recorded: it is over
      if (!now.isBefore(booking.start())) return BookingRefusal.CHANGE_TOO_LATE;
      if (byShopper && now.plus(policy.changeNotice()).isAfter(booking.start())) return BookingRefusal.CHANGE_TOO_LATE;
      return null;
    }

    // Event application

    public State apply(Event event) {
      if (event instanceof PolicySet set) {
        return new State(set.policy(), agents, bookings, lastBookedAt);
      } else if (event instanceof WorkingHoursSet set) {
        Map<String, WorkingHours> next = new HashMap<>(agents);
        next.put(set.agentId(), set.hours());
        return new State(policy, next, bookings, lastBookedAt);
      } else if (event instanceof BookingMade made) {
        Map<String, Booking> next = new HashMap<>(bookings);
        // Bookings long over leave the state; the read model keeps them.
        next.values().removeIf(old -> old.end().plus(KEPT_AFTER_END).isBefore(made.at()));
        next.put(made.booking().id(), made.booking());
        return new State(policy, agents, next, withTurn(made.booking().agentId(), made.at()));
      } else if (event instanceof BookingRescheduled moved) {
        Booking booking = bookings.get(moved.bookingId());
        State state = withBooking(booking.movedTo(moved.agentId(), moved.start(), moved.end(), moved.sequence(), moved.at()));
        return moved.agentId().equals(booking.agentId()) ? state
            : new State(policy, agents, state.bookings, withTurn(moved.agentId(), moved.at()));
      } else if (event instanceof BookingReassigned reassigned) {
        Booking booking = bookings.get(reassigned.bookingId());
        return withBooking(booking.movedTo(reassigned.toAgentId(), booking.start(), booking.end(), reassigned.sequence(),
            reassigned.at()));
      } else if (event instanceof BookingCancelled cancelled) {
        return withBooking(bookings.get(cancelled.bookingId()).cancelled(cancelled.sequence(), cancelled.at()));
      } else if (event instanceof BookingOutcomeRecorded recorded) {
        return withBooking(bookings.get(recorded.bookingId()).withOutcome(recorded.outcome(), recorded.at()));
      } else if (event instanceof BookingDetailsCorrected corrected) {
        return withBooking(bookings.get(corrected.bookingId()).withDetails(corrected.details(), corrected.at()));
      } else if (event instanceof BookingShopperArrived arrived) {
        return withBooking(bookings.get(arrived.bookingId()).arrived(arrived.at()));
      } else if (event instanceof BookingShopperLeft left) {
        return withBooking(bookings.get(left.bookingId()).left(left.at()));
      }
      throw new IllegalStateException("unknown event " + event);
    }

    private State withBooking(Booking booking) {
      Map<String, Booking> next = new HashMap<>(bookings);
      next.put(booking.id(), booking);
      return new State(policy, agents, next, lastBookedAt);
    }

    private Map<String, Instant> withTurn(String agentId, Instant at) {
      Map<String, Instant> next = new HashMap<>(lastBookedAt);
      next.put(agentId, at);
      return next;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Behavior

  private final String tenantId;
  private final Clock clock;

  private BookingCalendar(String tenantId, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), tenantId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.tenantId = tenantId;
    this.clock = clock;
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
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(GetSchedule.class, (state, command) -> Effect().reply(command.replyTo(), schedule(state)))
        .onCommand(SetPolicy.class, (state, command) ->
            decide(state, state.setPolicy(command.policy(), clock.instant()), command.replyTo(), BookingCalendar::schedule))
        .onCommand(SetWorkingHours.class, (state, command) ->
            decide(state, state.setWorkingHours(command.agentId(), command.hours(), clock.instant()), command.replyTo(),
                BookingCalendar::schedule))
        .onCommand(GetSlots.class, (state, command) -> Effect().reply(command.replyTo(),
            new Slots(state.slots(command.tenant(), command.from(), command.to(), command.agentId(), clock.instant()))))
        .onCommand(GetBooking.class, (state, command) -> Effect().reply(command.replyTo(),
            state.bookings().containsKey(command.bookingId())
                ? new BookingAccepted(state.bookings().get(command.bookingId()))
                : new Refused(BookingRefusal.BOOKING_NOT_FOUND)))
        .onCommand(Arrive.class, (state, command) -> Effect().reply(command.replyTo(),
            state.arrival(command.bookingId(), clock.instant())))
        .onCommand(Book.class, (state, command) -> decide(state, state.book(command.tenant(), command.bookingId(),
            command.start(), command.agentId(), command.details(), clock.instant()), command.replyTo(),
            after -> new BookingAccepted(after.bookings().get(command.bookingId()))))
        .onCommand(Reschedule.class, (state, command) -> decide(state, state.reschedule(command.tenant(), command.bookingId(),
            command.start(), command.byShopper(), clock.instant()), command.replyTo(),
            after -> new BookingAccepted(after.bookings().get(command.bookingId()))))
        .onCommand(Reassign.class, (state, command) -> decide(state, state.reassign(command.tenant(), command.bookingId(),
            command.agentId(), clock.instant()), command.replyTo(),
            after -> new BookingAccepted(after.bookings().get(command.bookingId()))))
        .onCommand(RecordOutcome.class, (state, command) -> decide(state, state.recordOutcome(command.bookingId(),
            command.outcome(), command.roomId(), command.onlyForAgentId(), clock.instant()), command.replyTo(),
            after -> new BookingAccepted(after.bookings().get(command.bookingId()))))
        .onCommand(Cancel.class, (state, command) -> decide(state, state.cancel(command.bookingId(), command.reason(),
            command.byShopper(), clock.instant()), command.replyTo(),
            after -> new BookingAccepted(after.bookings().get(command.bookingId()))))
        .onCommand(CorrectDetails.class, (state, command) -> decide(state, state.correctDetails(command.bookingId(),
            command.details(), clock.instant()), command.replyTo(),
            after -> new BookingAccepted(after.bookings().get(command.bookingId()))))
        .onCommand(ShopperArrived.class, (state, command) -> decide(state, state.arrive(command.bookingId(),
            clock.instant()), command.replyTo(), after -> new BookingAccepted(after.bookings().get(command.bookingId()))))
        .onCommand(ShopperLeft.class, (state, command) -> decide(state, state.leave(command.bookingId(),
            clock.instant()), command.replyTo(), after -> new BookingAccepted(after.bookings().get(command.bookingId()))))
        .onCommand(CheckNoShow.class, (state, command) -> check(state, command.bookingId(),
            state.noShow(command.bookingId(), command.sequence(), clock.instant()), state::noShowAt, command.replyTo()))
        .onCommand(CheckMissed.class, (state, command) -> check(state, command.bookingId(),
            state.missed(command.bookingId(), command.sequence(), clock.instant()), Booking::end, command.replyTo()))
        .build();
  }

  /** A deadline's check: too early is {@link NotYet} (retried by the outbox), else the decision. */
  private ReplyEffect<Event, State> check(State state, String bookingId, Decision decision,
      java.util.function.Function<Booking, Instant> dueAt, ActorRef<BookingReply> replyTo) {
    if (decision.refusal() == BookingRefusal.OUTCOME_TOO_EARLY) {
      return Effect().reply(replyTo, new NotYet(dueAt.apply(state.bookings().get(bookingId))));
    }
    return decide(state, decision, replyTo, after -> new BookingAccepted(after.bookings().get(bookingId)));
  }

  private static Schedule schedule(State state) {
    return new Schedule(state.policy(), state.agents());
  }

  private <R> ReplyEffect<Event, State> decide(State state, Decision decision, ActorRef<R> replyTo,
      java.util.function.Function<State, ? extends R> reply) {
    if (decision.refusal() != null) {
      @SuppressWarnings("unchecked")
      R refused = (R) new Refused(decision.refusal());
      return Effect().reply(replyTo, refused);
    }
    if (decision.event() == null) return Effect().reply(replyTo, reply.apply(state));
    return Effect().persist(decision.event()).thenReply(replyTo, reply::apply);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }
}
