package io.videoshop.queue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.videoshop.http.Traced;
import io.videoshop.persistence.CborSerializable;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
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
 * One tenant's live queue: shoppers' tickets in order, the tenant's agents and their presence, and
 * the reservations offering tickets to agents. One event-sourced entity per tenant, placed on some
 * node by Cluster Sharding (entity id = tenant id).
 *
 * <p>After every change the queue routes: each waiting ticket, head first, is offered to a
 * suitable free agent (longest idle or round robin, see {@link QueueSettings.RoutingStrategy}) as a
 * {@link Reservation}. The agent accepts (a call room id is made, the agent turns busy) or the
 * offer is rejected or expires: the ticket keeps its place, the agent turns away, the next agent
 * is tried. Timers (reservation expiry, shoppers' and agents' reconnect graces) are derived from
 * the state after every change and after recovery, so a restarted queue re-arms them.
 *
 * <p>Subscribers (one {@link QueueFeed} per node) get a {@link QueueUpdate.Snapshot} when they
 * subscribe and then the numbered {@link QueueUpdate.Changes} of every persisted change (the feed
 * protocol, docs/queue.md); they are not persisted and subscribe again when the entity stops or
 * when they see a gap. Settings and business hours are pushed in by their owners; with hours the
 * queue opens and closes by itself, and it lets a ticket go at the settings' maximum wait.
 */
public final class TenantQueue
    extends EventSourcedBehaviorWithEnforcedReplies<TenantQueue.Command, TenantQueue.Event, TenantQueue.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "TenantQueue");

  /** Projections read events by tag; the number of tags is fixed once events exist. */
  public static final int TAG_COUNT = 4;

  public static final List<String> TAGS =
      IntStream.range(0, TAG_COUNT).mapToObj(slice -> ENTITY_KEY.name() + "-" + slice).toList();

  /**
   * A second tag on {@link ReservationOffered} alone, in the same slices: the offer pushes read
   * these and not every queue event (each reader of {@link #TAGS} polls and deserialises all of them).
   */
  public static final List<String> OFFER_TAGS =
      IntStream.range(0, TAG_COUNT).mapToObj(slice -> ENTITY_KEY.name() + "-offers-" + slice).toList();

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, entity -> create(entity.getEntityId(), Clock.systemUTC())));
  }

  public static Behavior<Command> create(String tenantId, Clock clock) {
    return Behaviors.setup(context ->
        Behaviors.withTimers(timers -> new TenantQueue(tenantId, context, timers, clock)));
  }

  public static String tagFor(String tenantId) {
    return TAGS.get(slice(tenantId));
  }

  /** An event's tags: its tenant's slice, and the slice's offer tag for an offer. */
  static Set<String> tagsOf(String tenantId, Event event) {
    return event instanceof ReservationOffered
        ? Set.of(TAGS.get(slice(tenantId)), OFFER_TAGS.get(slice(tenantId)))
        : Set.of(TAGS.get(slice(tenantId)));
  }

  private static int slice(String tenantId) {
    return Math.abs(tenantId.hashCode() % TAG_COUNT);
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  public sealed interface Command extends CborSerializable {}

  /**
   * A shopper asks for a place; personal fields in {@code details} are already encrypted.
   * Idempotent: the sender makes the resume token (null: the queue makes one) and may repeat the
   * same join (same subject, same token), e.g. after its ask timed out; the repeat gets the ticket
   * the first one made instead of a second ticket.
   */
  public record Join(TicketDetails details, String resumeToken, ActorRef<JoinReply> replyTo, Ticket.Booked booking,
      String requestId) implements Command, Traced {
    /** With the request id of the work that makes it ({@link Traced#current}). */
    public Join(TicketDetails details, String resumeToken, ActorRef<JoinReply> replyTo, Ticket.Booked booking) {
      this(details, resumeToken, replyTo, booking, Traced.current());
    }

    /** A walk-in. */
    public Join(TicketDetails details, String resumeToken, ActorRef<JoinReply> replyTo) {
      this(details, resumeToken, replyTo, null);
    }
  }

  public record Leave(String ticketId, ActorRef<Confirmation> replyTo, String requestId) implements Command, Traced {
    public Leave(String ticketId, ActorRef<Confirmation> replyTo) {
      this(ticketId, replyTo, Traced.current());
    }
  }

  /** The shopper's socket dropped: the ticket keeps its place for the reconnect grace. */
  public record ShopperDisconnected(String ticketId, String requestId) implements Command, Traced {
    @JsonCreator
    public ShopperDisconnected {}

    public ShopperDisconnected(String ticketId) {
      this(ticketId, Traced.current());
    }
  }

  /** A shopper comes back with the resume token received at join. */
  public record Resume(String ticketId, String resumeToken, ActorRef<ResumeReply> replyTo, String requestId)
      implements Command, Traced {
    public Resume(String ticketId, String resumeToken, ActorRef<ResumeReply> replyTo) {
      this(ticketId, resumeToken, replyTo, Traced.current());
    }
  }

  /**
   * An agent sets their presence ({@code BUSY} is refused: only accepting makes an agent busy).
   * Null languages or skills keep the ones the queue already has for the agent.
   */
  public record AgentPresence(String agentId, Presence presence, Set<String> languages, Set<String> skills,
      ActorRef<Confirmation> replyTo, String requestId) implements Command, Traced {
    public AgentPresence(String agentId, Presence presence, Set<String> languages, Set<String> skills,
        ActorRef<Confirmation> replyTo) {
      this(agentId, presence, languages, skills, replyTo, Traced.current());
    }
  }

  /** The agent's console dropped: the agent goes offline after the agent reconnect grace. */
  public record AgentDisconnected(String agentId, String requestId) implements Command, Traced {
    @JsonCreator
    public AgentDisconnected {}

    public AgentDisconnected(String agentId) {
      this(agentId, Traced.current());
    }
  }

  public record AcceptReservation(String reservationId, String agentId, ActorRef<AcceptReply> replyTo,
      String requestId) implements Command, Traced {
    public AcceptReservation(String reservationId, String agentId, ActorRef<AcceptReply> replyTo) {
      this(reservationId, agentId, replyTo, Traced.current());
    }
  }

  public record RejectReservation(String reservationId, String agentId, ActorRef<Confirmation> replyTo,
      String requestId) implements Command, Traced {
    public RejectReservation(String reservationId, String agentId, ActorRef<Confirmation> replyTo) {
      this(reservationId, agentId, replyTo, Traced.current());
    }
  }

  /** The agent's call ended: the agent is available again and the call's duration counts for estimates. */
  /**
   * The agent's call is over. With a room id (the call room says so) it only ends that call, so a
   * late message never frees an agent who is already in the next one; without (the console), it
   * ends whatever call the agent is in.
   */
  public record AgentFinishedCall(String agentId, String roomId, ActorRef<Confirmation> replyTo, String requestId)
      implements Command, Traced {
    public AgentFinishedCall(String agentId, String roomId, ActorRef<Confirmation> replyTo) {
      this(agentId, roomId, replyTo, Traced.current());
    }
  }

  /** Pushed by the owner of the tenant's settings. */
  public record UpdateSettings(QueueSettings settings, ActorRef<Confirmation> replyTo) implements Command {}

  /**
   * Pushed by the owner of the tenant's business hours, which computes them: while closed, joins
   * are refused with {@code queue_closed} and {@code nextOpeningAt}; tickets already waiting stay.
   */
  public record UpdateOpening(boolean open, Instant nextOpeningAt, ActorRef<Confirmation> replyTo)
      implements Command {}

  /** Pushed by the owner of the tenant's account: while suspended, joins are refused. */
  public record UpdateSuspension(boolean suspended, ActorRef<Confirmation> replyTo) implements Command {}

  /** From the tenant's wallet (through the queue's feed): whether shoppers may join, the call limit. */
  public record UpdateAdmission(QueueAdmission admission, ActorRef<Confirmation> replyTo) implements Command {}

  /**
   * Subscribes (again) and asks for one {@link QueueUpdate.Snapshot}, then numbered {@link
   * QueueUpdate.Changes}. {@code withNames}: the subscriber shows shoppers' names (agents'
   * consoles), so tickets come with their encrypted name; without, with no personal field at all.
   */
  public record Subscribe(ActorRef<QueueUpdate> subscriber, boolean withNames) implements Command {
    /** Without names. */
    public Subscribe(ActorRef<QueueUpdate> subscriber) {
      this(subscriber, false);
    }
  }

  public record Unsubscribe(ActorRef<QueueUpdate> subscriber) implements Command {
    @JsonCreator
    public Unsubscribe {}
  }

  public record GetQueue(ActorRef<QueueView> replyTo) implements Command {
    @JsonCreator
    public GetQueue {}
  }

  /**
   * An owner or admin corrects a shopper's personal details (the right to rectification): the name,
   * email, phone and notes, already encrypted under the ticket's own subject. The sender found the
   * ticket in this queue's journal: a waiting ticket keeps everything else it has (a correction
   * never reroutes it); one that already left is recorded as given, for the reads that outlive it.
   */
  public record CorrectTicketDetails(String ticketId, TicketDetails details, ActorRef<CorrectionReply> replyTo)
      implements Command {}

  /** Sent by the queue's own timer. */
  public record ReservationTimedOut(String reservationId) implements Command {
    @JsonCreator
    public ReservationTimedOut {}
  }

  /** Sent by the queue's own timer. */
  public record ReconnectGraceEnded(String ticketId) implements Command {
    @JsonCreator
    public ReconnectGraceEnded {}
  }

  /** Sent by the queue's own timer: a booked ticket's time came, or its booked agent's window ended. */
  public record BookedTicketDue(String ticketId) implements Command {
    @JsonCreator
    public BookedTicketDue {}
  }

  /** Sent by the queue's own timer: the ticket has waited the longest the settings allow. */
  public record MaxWaitReached(String ticketId) implements Command {
    @JsonCreator
    public MaxWaitReached {}
  }

  /** Sent by the queue's own timer: the business hours open or close now. */
  public record HoursTurned() implements Command {
    public static final HoursTurned INSTANCE = new HoursTurned();
  }

  /** Sent by the queue's own timer. */
  public record AgentGraceEnded(String agentId) implements Command {
    @JsonCreator
    public AgentGraceEnded {}
  }

  /** Sent by the queue's watch on a subscriber. */
  public record SubscriberTerminated(ActorRef<QueueUpdate> subscriber) implements Command {
    @JsonCreator
    public SubscriberTerminated {}
  }

  // Replies

  public sealed interface JoinReply extends CborSerializable {}

  public sealed interface ResumeReply extends CborSerializable {}

  public sealed interface AcceptReply extends CborSerializable {}

  public sealed interface Confirmation extends CborSerializable {}

  public sealed interface CorrectionReply extends CborSerializable {}

  /** The correction is in the journal; {@code details} as recorded (encrypted). */
  public record TicketCorrected(String ticketId, TicketDetails details, Instant at) implements CorrectionReply {}

  /**
   * @param resumeToken the secret to resume with after a disconnect; the queue keeps only its hash
   * @param estimatedWait null when no agent is on duty
   */
  public record Queued(String ticketId, String resumeToken, int position, WaitEstimate.Range estimatedWait)
      implements JoinReply {}

  public record Resumed(String ticketId, int position, WaitEstimate.Range estimatedWait) implements ResumeReply {}

  /**
   * The ticket was accepted while the shopper was away or before the shopper heard of it: the
   * room to go to (within the reconnect grace of the accept).
   */
  public record ResumedAssigned(String ticketId, String agentId, String roomId, String subjectId)
      implements ResumeReply {}

  /**
   * The agent got the shopper: both join the call room {@code roomId}.
   *
   * @param subjectId the shopper's data subject, for the agent's room pass
   */
  public record Assigned(String reservationId, String ticketId, String agentId, String roomId, String subjectId)
      implements AcceptReply {}

  public record Confirmed() implements Confirmation {
    public static final Confirmed INSTANCE = new Confirmed();
  }

  /** @param nextOpeningAt with {@code queue_closed}: when the queue opens again, if known */
  public record Refused(Refusal reason, Instant nextOpeningAt)
      implements JoinReply, ResumeReply, AcceptReply, Confirmation, CorrectionReply {
    static Refused because(Refusal reason) {
      return new Refused(reason, null);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Events: no personal data in plain text (only inside TicketDetails' encrypted fields).

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = SettingsUpdated.class, name = "SettingsUpdated"),
    @JsonSubTypes.Type(value = OpeningChanged.class, name = "OpeningChanged"),
    @JsonSubTypes.Type(value = SuspensionChanged.class, name = "SuspensionChanged"),
    @JsonSubTypes.Type(value = AdmissionChanged.class, name = "AdmissionChanged"),
    @JsonSubTypes.Type(value = TicketJoined.class, name = "TicketJoined"),
    @JsonSubTypes.Type(value = TicketDetailsCorrected.class, name = "TicketDetailsCorrected"),
    @JsonSubTypes.Type(value = TicketLeft.class, name = "TicketLeft"),
    @JsonSubTypes.Type(value = TicketDisconnected.class, name = "TicketDisconnected"),
    @JsonSubTypes.Type(value = TicketResumed.class, name = "TicketResumed"),
    @JsonSubTypes.Type(value = TicketAbandoned.class, name = "TicketAbandoned"),
    @JsonSubTypes.Type(value = AgentPresenceChanged.class, name = "AgentPresenceChanged"),
    @JsonSubTypes.Type(value = AgentConnectionLost.class, name = "AgentConnectionLost"),
    @JsonSubTypes.Type(value = AgentReconnected.class, name = "AgentReconnected"),
    @JsonSubTypes.Type(value = ReservationOffered.class, name = "ReservationOffered"),
    @JsonSubTypes.Type(value = ReservationAccepted.class, name = "ReservationAccepted"),
    @JsonSubTypes.Type(value = ReservationReleased.class, name = "ReservationReleased"),
    @JsonSubTypes.Type(value = CallFinished.class, name = "CallFinished")
  })
  public sealed interface Event extends CborSerializable {}

  public record SettingsUpdated(QueueSettings settings, Instant at) implements Event {}

  public record OpeningChanged(boolean open, Instant nextOpeningAt, Instant at) implements Event {}

  public record SuspensionChanged(boolean suspended, Instant at) implements Event {}

  /** What billing allows now: new shoppers or not, and how many calls at once. */
  public record AdmissionChanged(QueueAdmission admission, Instant at) implements Event {}

  public record TicketJoined(Ticket ticket) implements Event {
    @JsonCreator
    public TicketJoined {}
  }

  /**
   * A shopper's details corrected by an owner or admin, whether the ticket still waits or not:
   * the whole record as it stands now, personal fields encrypted under the ticket's subject.
   */
  public record TicketDetailsCorrected(String ticketId, TicketDetails details, Instant at) implements Event {}

  public record TicketLeft(String ticketId, Instant at) implements Event {}

  public record TicketDisconnected(String ticketId, Instant at) implements Event {}

  public record TicketResumed(String ticketId, Instant at) implements Event {}

  public enum AbandonReason {
    /** The shopper's socket stayed away longer than the reconnect grace. */
    RECONNECT_GRACE_EXPIRED,
    /** The ticket waited the settings' maximum wait ({@link QueueSettings#maxWait}). */
    MAX_WAIT_REACHED
  }

  public record TicketAbandoned(String ticketId, AbandonReason reason, Instant at) implements Event {}

  public record AgentPresenceChanged(
      String agentId, Presence presence, Set<String> languages, Set<String> skills, Instant at)
      implements Event {}

  public record AgentConnectionLost(String agentId, Instant at) implements Event {}

  public record AgentReconnected(String agentId, Instant at) implements Event {}

  public record ReservationOffered(Reservation reservation) implements Event {
    @JsonCreator
    public ReservationOffered {}
  }

  public record ReservationAccepted(String reservationId, String ticketId, String agentId, String roomId, Instant at)
      implements Event {}

  public enum ReleaseReason {
    /** The agent said no; the agent turns away. */
    REJECTED,
    /** The agent did not answer in time; the agent turns away. */
    EXPIRED,
    /** The agent set a presence other than available. */
    AGENT_UNAVAILABLE,
    /** The agent's console stayed away longer than the agent reconnect grace. */
    AGENT_DISCONNECTED,
    /** The shopper left. */
    TICKET_LEFT,
    /** The shopper's socket dropped; the ticket is offered again once the shopper resumes. */
    SHOPPER_DISCONNECTED
  }

  /** An offer ended without a call; the ticket keeps its place. */
  public record ReservationReleased(
      String reservationId, String ticketId, String agentId, ReleaseReason reason, Instant at)
      implements Event {}

  public record CallFinished(String agentId, String roomId, Duration handleTime, Instant at) implements Event {}

  // ---------------------------------------------------------------------------------------------
  // State: pure transitions, testable without actors.

  /** Assignments remembered at most, whatever the reconnect grace. */
  static final int ASSIGNMENTS_KEPT = 200;

  /**
   * A ticket accepted into a room: kept a while so that the same accept again, or the shopper
   * resuming (the answer to the accept or the shopper's update may have been lost), finds it.
   */
  public record Assignment(String reservationId, String ticketId, String agentId, String roomId,
      String resumeTokenHash, String subjectId, Instant at) implements CborSerializable {
    boolean resumableWith(String resumeToken) {
      return resumeToken != null && java.security.MessageDigest.isEqual(
          Ticket.hashOf(resumeToken).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          resumeTokenHash.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
  }

  /**
   * @param tickets waiting tickets in join order; a ticket under offer keeps its place
   * @param agents agents in the order they first announced a presence (the round-robin order)
   * @param recentHandleTimes durations of the last {@value WaitEstimate#SAMPLE_SIZE} calls, oldest first
   * @param lastOfferedAgentId where round robin continues from
   * @param assignments the tickets accepted within the last reconnect grace, newest last: a
   *     repeated accept gets the same room, a shopper who resumes gets the assignment
   */
  public record State(
      QueueSettings settings,
      boolean open,
      Instant nextOpeningAt,
      boolean suspended,
      List<Ticket> tickets,
      List<Agent> agents,
      List<Reservation> reservations,
      List<Duration> recentHandleTimes,
      String lastOfferedAgentId,
      QueueAdmission admission,
      List<Assignment> assignments)
      implements CborSerializable {

    public static final State EMPTY =
        new State(QueueSettings.DEFAULT, true, null, false, List.of(), List.of(), List.of(), List.of(), null,
            QueueAdmission.ADMITTING, List.of());

    public State {
      // Snapshots taken before admission (or assignments) existed read as admitting (none).
      admission = admission == null ? QueueAdmission.ADMITTING : admission;
      tickets = List.copyOf(tickets);
      agents = List.copyOf(agents);
      reservations = List.copyOf(reservations);
      recentHandleTimes = List.copyOf(recentHandleTimes);
      assignments = assignments == null ? List.of() : List.copyOf(assignments);
    }

    // One field changed, the rest kept: a new field touches the constructor call below only.

    public State withSettings(QueueSettings next) {
      return new State(next, open, nextOpeningAt, suspended, tickets, agents, reservations, recentHandleTimes,
          lastOfferedAgentId, admission, assignments);
    }

    public State withOpening(boolean nextOpen, Instant nextOpening) {
      return new State(settings, nextOpen, nextOpening, suspended, tickets, agents, reservations, recentHandleTimes,
          lastOfferedAgentId, admission, assignments);
    }

    public State withSuspended(boolean next) {
      return new State(settings, open, nextOpeningAt, next, tickets, agents, reservations, recentHandleTimes,
          lastOfferedAgentId, admission, assignments);
    }

    public State withTickets(List<Ticket> next) {
      return new State(settings, open, nextOpeningAt, suspended, next, agents, reservations, recentHandleTimes,
          lastOfferedAgentId, admission, assignments);
    }

    public State withAgents(List<Agent> next) {
      return new State(settings, open, nextOpeningAt, suspended, tickets, next, reservations, recentHandleTimes,
          lastOfferedAgentId, admission, assignments);
    }

    public State withReservations(List<Reservation> next) {
      return new State(settings, open, nextOpeningAt, suspended, tickets, agents, next, recentHandleTimes,
          lastOfferedAgentId, admission, assignments);
    }

    public State withRecentHandleTimes(List<Duration> next) {
      return new State(settings, open, nextOpeningAt, suspended, tickets, agents, reservations, next,
          lastOfferedAgentId, admission, assignments);
    }

    public State withLastOfferedAgentId(String next) {
      return new State(settings, open, nextOpeningAt, suspended, tickets, agents, reservations, recentHandleTimes,
          next, admission, assignments);
    }

    public State withAdmission(QueueAdmission next) {
      return new State(settings, open, nextOpeningAt, suspended, tickets, agents, reservations, recentHandleTimes,
          lastOfferedAgentId, next, assignments);
    }

    public State withAssignments(List<Assignment> next) {
      return new State(settings, open, nextOpeningAt, suspended, tickets, agents, reservations, recentHandleTimes,
          lastOfferedAgentId, admission, next);
    }

    // Queries

    public Optional<Ticket> ticket(String ticketId) {
      return tickets.stream().filter(ticket -> ticket.ticketId().equals(ticketId)).findFirst();
    }

    public Optional<Agent> agent(String agentId) {
      return agents.stream().filter(agent -> agent.agentId().equals(agentId)).findFirst();
    }

    public Optional<Reservation> reservation(String reservationId) {
      return reservations.stream().filter(r -> r.reservationId().equals(reservationId)).findFirst();
    }

    public Optional<Reservation> reservationForTicket(String ticketId) {
      return reservations.stream().filter(r -> r.ticketId().equals(ticketId)).findFirst();
    }

    public Optional<Reservation> reservationForAgent(String agentId) {
      return reservations.stream().filter(r -> r.agentId().equals(agentId)).findFirst();
    }

    /** The room a reservation was accepted into, while it is remembered. */
    public Optional<Assignment> assignmentOf(String reservationId) {
      return assignments.stream().filter(a -> a.reservationId().equals(reservationId)).findFirst();
    }

    /** The assignment of a ticket that left the queue for a room less than the reconnect grace ago. */
    public Optional<Assignment> recentAssignmentOfTicket(String ticketId, Instant now) {
      Instant keepFrom = now.minus(settings.reconnectGrace());
      return assignments.stream()
          .filter(a -> a.ticketId().equals(ticketId) && !a.at().isBefore(keepFrom))
          .findFirst();
    }

    /** 1 for the head of the queue, 0 when the ticket is not waiting. */
    public int positionOf(String ticketId) {
      for (int i = 0; i < tickets.size(); i++) {
        if (tickets.get(i).ticketId().equals(ticketId)) return i + 1;
      }
      return 0;
    }

    public Optional<Refusal> refusalToJoin(TicketDetails details) {
      return refusalToJoin(details, null);
    }

    /** A booked shopper was promised the time: neither the hours (arriving early) nor a full queue keep them out. */
    public Optional<Refusal> refusalToJoin(TicketDetails details, Ticket.Booked booking) {
      if (details == null || !details.wellFormed()) return Optional.of(Refusal.INVALID_TICKET);
      if (suspended) return Optional.of(Refusal.TENANT_SUSPENDED);
      if (booking == null && !open) return Optional.of(Refusal.QUEUE_CLOSED);
      if (booking == null && tickets.size() >= settings.maxLength()) return Optional.of(Refusal.QUEUE_FULL);
      if (!admission.admitting()) return Optional.of(admission.refusal());
      return Optional.empty();
    }

    /**
     * The record a correction makes: for a waiting ticket its own details with the corrected
     * personal fields (under its own subject only), for one that left the details as given.
     * Empty when the correction is not well formed.
     */
    public Optional<TicketDetailsCorrected> correction(String ticketId, TicketDetails corrected, Instant now) {
      if (ticketId == null || corrected == null || !corrected.wellFormed()) return Optional.empty();
      Optional<Ticket> waiting = ticket(ticketId);
      if (waiting.isEmpty()) return Optional.of(new TicketDetailsCorrected(ticketId, corrected, now));
      TicketDetails current = waiting.get().details();
      if (!current.subjectId().equals(corrected.subjectId())) return Optional.empty();
      return Optional.of(new TicketDetailsCorrected(ticketId, current.withPersonal(corrected), now));
    }

    /** Only the agent a reservation was offered to may accept or reject it. */
    public Optional<Refusal> refusalToAnswer(String reservationId, String agentId) {
      Optional<Reservation> offered = reservation(reservationId);
      if (offered.isEmpty()) return Optional.of(Refusal.UNKNOWN_RESERVATION);
      if (!offered.get().agentId().equals(agentId)) return Optional.of(Refusal.NOT_YOUR_RESERVATION);
      return Optional.empty();
    }

    public WaitEstimate waitEstimate() {
      int staffed = (int) agents.stream().filter(Agent::staffed).count();
      int free = (int) agents.stream()
          .filter(agent -> agent.connected() && agent.presence() == Presence.AVAILABLE)
          .count();
      return WaitEstimate.of(recentHandleTimes, staffed, free);
    }

    public Optional<WaitEstimate.Range> estimatedWaitOf(String ticketId) {
      int position = positionOf(ticketId);
      return position == 0 ? Optional.empty() : waitEstimate().atPosition(position);
    }

    public QueueView view(String tenantId, Instant now) {
      WaitEstimate estimate = waitEstimate();
      List<QueueView.WaitingTicket> waiting = new ArrayList<>(tickets.size());
      for (int i = 0; i < tickets.size(); i++) {
        Ticket ticket = tickets.get(i);
        waiting.add(new QueueView.WaitingTicket(
            ticket.ticketId(),
            i + 1,
            ticket.details(),
            ticket.joinedAt(),
            ticket.connected(),
            reservationForTicket(ticket.ticketId()).map(Reservation::reservationId).orElse(null),
            estimate.atPosition(i + 1).orElse(null)));
      }
      return new QueueView(tenantId, now, open, nextOpeningAt, suspended, settings, waiting, agents, reservations);
    }

    /**
     * The state as subscribers get it: no resume-token hashes and no remembered assignments (only
     * the queue answers resumes and repeated accepts), and of personal data only the encrypted
     * name, for subscribers that show it.
     */
    public State forSubscriber(boolean withNames) {
      return withTickets(tickets.stream().map(ticket -> ticket.forSubscriber(withNames)).toList())
          .withAssignments(List.of());
    }

    /**
     * With business hours in the settings: the opening they give at {@code now}, when it is not
     * what the queue holds (closed: with the next opening).
     */
    public Optional<OpeningChanged> openingByHours(Instant now) {
      QueueSettings.Hours hours = settings.hours();
      if (hours == null) return Optional.empty();
      boolean openNow = hours.weekly().isOpen(now, hours.zoneId());
      if (openNow && open) return Optional.empty();
      Instant reopens = openNow ? null : hours.weekly().nextOpening(now, hours.zoneId()).orElse(null);
      if (openNow == open && Objects.equals(reopens, nextOpeningAt)) return Optional.empty();
      return Optional.of(new OpeningChanged(openNow, reopens, now));
    }

    /** When the business hours next open or close after {@code now} (within 8 days), null without hours. */
    public Instant hoursTurnAfter(Instant now) {
      QueueSettings.Hours hours = settings.hours();
      if (hours == null) return null;
      for (var opening : hours.weekly().openings(now, now.plus(Duration.ofDays(8)), hours.zoneId())) {
        if (opening.start().isAfter(now)) return opening.start();
        if (opening.end().isAfter(now)) return opening.end();
      }
      return now.plus(Duration.ofDays(8)); // closed all that time: look again then
    }

    /** When a waiting ticket reaches the maximum wait: from its join, or a booked ticket's start; null for no limit. */
    public Instant maxWaitDeadline(Ticket ticket) {
      if (settings.maxWait() == null) return null;
      Instant from = ticket.booking() != null && ticket.booking().startsAt().isAfter(ticket.joinedAt())
          ? ticket.booking().startsAt() : ticket.joinedAt();
      return from.plus(settings.maxWait());
    }

    // Routing

    /**
     * The offers to make now: each waiting ticket, head first, that is connected and not under
     * offer goes to a free agent who suits it. A ticket no free agent suits does not hold up the
     * tickets behind it.
     */
    public List<Event> route(Instant now, Supplier<String> newReservationId) {
      List<Event> offers = new ArrayList<>();
      State next = this;
      for (Ticket ticket : bookedFirst(tickets, now)) {
        if (next.atCallLimit()) break;
        if (!ticket.connected() || next.reservationForTicket(ticket.ticketId()).isPresent()) continue;
        Optional<Agent> agent = next.agentFor(ticket, now);
        if (agent.isEmpty()) continue;
        Reservation reservation = new Reservation(newReservationId.get(), ticket.ticketId(), agent.get().agentId(),
            now, now.plus(settings.reservationTimeout()));
        ReservationOffered offer = new ReservationOffered(reservation);
        offers.add(offer);
        next = next.apply(offer);
      }
      return offers;
    }

    /** Calls running plus offers open reach the plan's concurrent-call limit: hold further offers. */
    public boolean atCallLimit() {
      if (admission.concurrentCallLimit() == null) return false;
      long calls = agents.stream().filter(agent -> agent.presence() == Presence.BUSY).count();
      return calls + reservations.size() >= admission.concurrentCallLimit();
    }

    /**
     * Scheduling's rule: booked tickets whose time has come go first (by their start), then the
     * walk-ins in join order; a booked ticket before its start waits (keeps its place, no offer).
     */
    static List<Ticket> bookedFirst(List<Ticket> tickets, Instant now) {
      if (tickets.stream().noneMatch(ticket -> ticket.booking() != null)) return tickets;
      List<Ticket> due = new ArrayList<>();
      List<Ticket> walkIns = new ArrayList<>();
      for (Ticket ticket : tickets) {
        if (ticket.booking() == null) walkIns.add(ticket);
        else if (!now.isBefore(ticket.booking().startsAt())) due.add(ticket);
      }
      due.sort(Comparator.comparing((Ticket ticket) -> ticket.booking().startsAt()).thenComparing(Ticket::joinedAt));
      due.addAll(walkIns);
      return due;
    }

    /** A booked ticket inside its window goes to its booked agent only; any other to a suitable agent. */
    private Optional<Agent> agentFor(Ticket ticket, Instant now) {
      Ticket.Booked booked = ticket.booking();
      if (booked != null && now.isBefore(booked.agentOnlyUntil())) {
        return agents.stream()
            .filter(agent -> agent.agentId().equals(booked.agentId()))
            .filter(agent -> agent.connected() && agent.presence() == Presence.AVAILABLE)
            .filter(agent -> reservationForAgent(agent.agentId()).isEmpty())
            .findFirst();
      }
      return agentFor(ticket.details());
    }

    private Optional<Agent> agentFor(TicketDetails ticket) {
      Stream<Agent> free = agents.stream()
          .filter(agent -> agent.connected() && agent.presence() == Presence.AVAILABLE)
          .filter(agent -> reservationForAgent(agent.agentId()).isEmpty())
          .filter(agent -> agent.suits(ticket));
      if (settings.routing() == QueueSettings.RoutingStrategy.LONGEST_IDLE) {
        // Stable on ties: the agent who announced first goes first.
        return free.min(Comparator.comparing(Agent::since));
      }
      List<Agent> candidates = free.toList();
      if (candidates.isEmpty()) return Optional.empty();
      int last = indexOfAgent(lastOfferedAgentId);
      return candidates.stream()
          .filter(agent -> indexOfAgent(agent.agentId()) > last)
          .findFirst()
          .or(() -> Optional.of(candidates.get(0)));
    }

    private int indexOfAgent(String agentId) {
      for (int i = 0; i < agents.size(); i++) {
        if (agents.get(i).agentId().equals(agentId)) return i;
      }
      return -1;
    }

    // Transitions

    public State applyAll(List<? extends Event> events) {
      State next = this;
      for (Event event : events) next = next.apply(event);
      return next;
    }

    public State apply(Event event) {
      if (event instanceof TicketJoined e) return withTickets(append(tickets, e.ticket()));
      if (event instanceof TicketDetailsCorrected e) return withTickets(
          replace(tickets, isTicket(e.ticketId()), ticket -> ticket.withDetails(e.details())));
      if (event instanceof TicketLeft e) return withoutTicket(e.ticketId());
      if (event instanceof TicketAbandoned e) return withoutTicket(e.ticketId());
      if (event instanceof TicketDisconnected e) return withTickets(
          replace(tickets, isTicket(e.ticketId()), ticket -> ticket.disconnected(e.at())));
      if (event instanceof TicketResumed e) return withTickets(
          replace(tickets, isTicket(e.ticketId()), Ticket::reconnected));
      if (event instanceof AgentPresenceChanged e) return agentPresenceChanged(e);
      if (event instanceof AgentConnectionLost e) return withAgents(
          replace(agents, isAgent(e.agentId()), agent -> agent.disconnected(e.at())));
      if (event instanceof AgentReconnected e) return withAgents(
          replace(agents, isAgent(e.agentId()), Agent::reconnected));
      if (event instanceof ReservationOffered e) return withReservations(append(reservations, e.reservation()))
          .withLastOfferedAgentId(e.reservation().agentId());
      if (event instanceof ReservationAccepted e) return accepted(e);
      if (event instanceof ReservationReleased e) return withReservations(
          remove(reservations, r -> r.reservationId().equals(e.reservationId())));
      if (event instanceof CallFinished e) return callFinished(e);
      if (event instanceof SettingsUpdated e) return withSettings(e.settings());
      if (event instanceof OpeningChanged e) return withOpening(e.open(), e.nextOpeningAt());
      if (event instanceof SuspensionChanged e) return withSuspended(e.suspended());
      if (event instanceof AdmissionChanged e) return withAdmission(e.admission());
      throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    private State withoutTicket(String ticketId) {
      return withTickets(remove(tickets, isTicket(ticketId)))
          .withReservations(remove(reservations, r -> r.ticketId().equals(ticketId)));
    }

    /**
     * The ticket leaves for the room and the agent turns busy; the assignment is remembered for
     * the reconnect grace (and at most {@link #ASSIGNMENTS_KEPT}), dropping older ones.
     */
    private State accepted(ReservationAccepted e) {
      Instant keepFrom = e.at().minus(settings.reconnectGrace());
      List<Assignment> kept = new ArrayList<>(assignments.stream().filter(a -> !a.at().isBefore(keepFrom)).toList());
      ticket(e.ticketId()).ifPresent(ticket -> kept.add(new Assignment(e.reservationId(), e.ticketId(), e.agentId(),
          e.roomId(), ticket.resumeTokenHash(), ticket.details().subjectId(), e.at())));
      List<Assignment> bounded = kept.size() > ASSIGNMENTS_KEPT ? kept.subList(kept.size() - ASSIGNMENTS_KEPT, kept.size())
          : kept;
      return withTickets(remove(tickets, isTicket(e.ticketId())))
          .withAgents(replace(agents, isAgent(e.agentId()), agent -> agent.inCall(e.roomId(), e.at())))
          .withReservations(remove(reservations, r -> r.reservationId().equals(e.reservationId())))
          .withAssignments(bounded);
    }

    private State agentPresenceChanged(AgentPresenceChanged e) {
      if (agent(e.agentId()).isEmpty()) {
        return withAgents(append(agents,
            new Agent(e.agentId(), e.presence(), e.at(), e.languages(), e.skills(), null, null)));
      }
      return withAgents(replace(agents, isAgent(e.agentId()),
          agent -> agent.inPresence(e.presence(), e.languages(), e.skills(), e.at())));
    }

    private State callFinished(CallFinished e) {
      List<Duration> handleTimes = append(recentHandleTimes, e.handleTime());
      if (handleTimes.size() > WaitEstimate.SAMPLE_SIZE) {
        handleTimes = handleTimes.subList(handleTimes.size() - WaitEstimate.SAMPLE_SIZE, handleTimes.size());
      }
      List<Agent> nextAgents = replace(agents, isAgent(e.agentId()), agent -> new Agent(agent.agentId(),
          Presence.AVAILABLE, e.at(), agent.languages(), agent.skills(), agent.disconnectedAt(), null));
      return withAgents(nextAgents).withRecentHandleTimes(handleTimes);
    }

    private static Predicate<Ticket> isTicket(String ticketId) {
      return ticket -> ticket.ticketId().equals(ticketId);
    }

    private static Predicate<Agent> isAgent(String agentId) {
      return agent -> agent.agentId().equals(agentId);
    }

    private static <T> List<T> append(List<T> list, T item) {
      List<T> next = new ArrayList<>(list.size() + 1);
      next.addAll(list);
      next.add(item);
      return next;
    }

    private static <T> List<T> remove(List<T> list, Predicate<T> which) {
      return list.stream().filter(which.negate()).toList();
    }

    private static <T> List<T> replace(List<T> list, Predicate<T> which, UnaryOperator<T> change) {
      return list.stream().map(item -> which.test(item) ? change.apply(item) : item).toList();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The entity

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String tenantId;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Clock clock;
  /** Live only: sockets subscribe again after the entity restarts elsewhere. */
  /** Each subscriber, and whether it shows names. */
  private final Map<ActorRef<QueueUpdate>, Boolean> subscribers = new LinkedHashMap<>();
  /** The number of the last {@link QueueUpdate.Changes} this instance sent (counted even with no subscriber). */
  private long published;
  private final Set<TimerKey> armedTimers = new HashSet<>();
  /** Cache of {@link #hoursTurn}: what it was computed from, and the instant. */
  private List<Object> hoursTurnBasis;
  private Instant hoursTurnAt;

  /** A timer per deadline: a changed deadline (e.g. a second disconnect) is a new timer. */
  private record TimerKey(String kind, String id, Instant deadline) {}

  private TenantQueue(String tenantId, ActorContext<Command> context, TimerScheduler<Command> timers, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), tenantId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.tenantId = tenantId;
    this.context = context;
    this.timers = timers;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tagsOf(tenantId, event);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::armTimers).build();
  }

  // ---------------------------------------------------------------------------------------------
  // Command handlers

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    // A session's commands carry its request id: the lines logged for them carry it too.
    return Traced.handler(newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Join.class, this::onJoin)
        .onCommand(Leave.class, this::onLeave)
        .onCommand(ShopperDisconnected.class, this::onShopperDisconnected)
        .onCommand(Resume.class, this::onResume)
        .onCommand(ReconnectGraceEnded.class, this::onReconnectGraceEnded)
        .onCommand(BookedTicketDue.class, this::onBookedTicketDue)
        .onCommand(AgentPresence.class, this::onAgentPresence)
        .onCommand(AgentDisconnected.class, this::onAgentDisconnected)
        .onCommand(AgentGraceEnded.class, this::onAgentGraceEnded)
        .onCommand(MaxWaitReached.class, this::onMaxWaitReached)
        .onCommand(HoursTurned.class, (state, command) -> change(state, clock.instant(), List.of())
            .thenRun(this::armTimers).thenNoReply())
        .onCommand(CorrectTicketDetails.class, this::onCorrectTicketDetails)
        .onCommand(AcceptReservation.class, this::onAccept)
        .onCommand(RejectReservation.class, this::onReject)
        .onCommand(ReservationTimedOut.class, this::onReservationTimedOut)
        .onCommand(AgentFinishedCall.class, this::onAgentFinishedCall)
        .onCommand(UpdateSettings.class, this::onUpdateSettings)
        .onCommand(UpdateOpening.class, this::onUpdateOpening)
        .onCommand(UpdateSuspension.class, this::onUpdateSuspension)
        .onCommand(UpdateAdmission.class, this::onUpdateAdmission)
        .onCommand(Subscribe.class, this::onSubscribe)
        .onCommand(Unsubscribe.class, (state, command) -> unsubscribe(command.subscriber()))
        .onCommand(SubscriberTerminated.class, (state, command) -> unsubscribe(command.subscriber()))
        .onCommand(GetQueue.class, (state, command) ->
            Effect().reply(command.replyTo(), state.view(tenantId, clock.instant())))
        .build());
  }

  private ReplyEffect<Event, State> onJoin(State state, Join join) {
    Optional<Ticket> earlier = join.details() == null ? Optional.empty() : state.tickets().stream()
        .filter(ticket -> ticket.details().subjectId().equals(join.details().subjectId())).findFirst();
    if (earlier.isEmpty() && join.details() != null && joinTokenUsable(join.resumeToken())) {
      // The same widget again on a new socket (its first one closed with the join in flight): the
      // resume token it made names the ticket, whatever subject this attempt encrypted under.
      String hash = Ticket.hashOf(join.resumeToken());
      earlier = state.tickets().stream().filter(ticket -> ticket.resumeTokenHash().equals(hash)).findFirst();
    }
    if (earlier.isPresent()) {
      // A repeated join: the same ticket again, to its owner only.
      Ticket ticket = earlier.get();
      if (!ticket.resumableWith(join.resumeToken())) {
        return Effect().reply(join.replyTo(), Refused.because(Refusal.INVALID_TICKET));
      }
      Instant now = clock.instant();
      List<Event> events = ticket.connected() ? List.of() : List.of(new TicketResumed(ticket.ticketId(), now));
      return change(state, now, events).thenReply(join.replyTo(), after -> new Queued(ticket.ticketId(),
          join.resumeToken(), after.positionOf(ticket.ticketId()), after.estimatedWaitOf(ticket.ticketId()).orElse(null)));
    }
    Optional<Refusal> refusal = state.refusalToJoin(join.details(), join.booking());
    if (refusal.isPresent()) {
      context.getLog().info("A join to the queue of tenant {} is refused: {}", tenantId, refusal.get().code());
      Instant reopens = refusal.get() == Refusal.QUEUE_CLOSED ? state.nextOpeningAt() : null;
      return Effect().reply(join.replyTo(), new Refused(refusal.get(), reopens));
    }
    Instant now = clock.instant();
    String ticketId = newId();
    String resumeToken = joinTokenUsable(join.resumeToken()) ? join.resumeToken() : newResumeToken();
    Ticket ticket = new Ticket(ticketId, join.details(), Ticket.hashOf(resumeToken), now, null, join.booking());
    context.getLog().info("Ticket {} joins the queue of tenant {}{}", ticketId, tenantId,
        join.booking() == null ? "" : " (booked)");
    return change(state, now, List.of(new TicketJoined(ticket)))
        .thenReply(join.replyTo(), after -> new Queued(
            ticketId, resumeToken, after.positionOf(ticketId), after.estimatedWaitOf(ticketId).orElse(null)));
  }

  private ReplyEffect<Event, State> onLeave(State state, Leave leave) {
    if (state.ticket(leave.ticketId()).isEmpty()) {
      return Effect().reply(leave.replyTo(), Refused.because(Refusal.UNKNOWN_TICKET));
    }
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    state.reservationForTicket(leave.ticketId())
        .ifPresent(r -> events.add(released(r, ReleaseReason.TICKET_LEFT, now)));
    events.add(new TicketLeft(leave.ticketId(), now));
    context.getLog().info("Ticket {} leaves the queue of tenant {}", leave.ticketId(), tenantId);
    return change(state, now, events).thenReply(leave.replyTo(), after -> Confirmed.INSTANCE);
  }

  private ReplyEffect<Event, State> onShopperDisconnected(State state, ShopperDisconnected command) {
    Optional<Ticket> ticket = state.ticket(command.ticketId());
    if (ticket.isEmpty() || !ticket.get().connected()) return Effect().none().thenNoReply();
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    // An agent should not wait on a shopper who is gone; the ticket is offered again on resume.
    state.reservationForTicket(command.ticketId())
        .ifPresent(r -> events.add(released(r, ReleaseReason.SHOPPER_DISCONNECTED, now)));
    events.add(new TicketDisconnected(command.ticketId(), now));
    return change(state, now, events).thenNoReply();
  }

  private ReplyEffect<Event, State> onResume(State state, Resume resume) {
    Optional<Ticket> ticket = state.ticket(resume.ticketId());
    if (ticket.isEmpty()) {
      Optional<Assignment> assigned = state.recentAssignmentOfTicket(resume.ticketId(), clock.instant());
      if (assigned.isEmpty()) return Effect().reply(resume.replyTo(), Refused.because(Refusal.UNKNOWN_TICKET));
      if (!assigned.get().resumableWith(resume.resumeToken())) {
        return Effect().reply(resume.replyTo(), Refused.because(Refusal.INVALID_RESUME_TOKEN));
      }
      Assignment a = assigned.get();
      return Effect().reply(resume.replyTo(), new ResumedAssigned(a.ticketId(), a.agentId(), a.roomId(), a.subjectId()));
    }
    if (!ticket.get().resumableWith(resume.resumeToken())) {
      return Effect().reply(resume.replyTo(), Refused.because(Refusal.INVALID_RESUME_TOKEN));
    }
    Instant now = clock.instant();
    context.getLog().info("Ticket {} resumes its place in the queue of tenant {}", resume.ticketId(), tenantId);
    List<Event> events = ticket.get().connected() ? List.of() : List.of(new TicketResumed(resume.ticketId(), now));
    return change(state, now, events).thenReply(resume.replyTo(), after -> new Resumed(
        resume.ticketId(), after.positionOf(resume.ticketId()), after.estimatedWaitOf(resume.ticketId()).orElse(null)));
  }

  /** A booked ticket's time came or its agent's window ended: route again; nothing to offer, arm the next timer. */
  private ReplyEffect<Event, State> onBookedTicketDue(State state, BookedTicketDue command) {
    Instant now = clock.instant();
    if (state.route(now, TenantQueue::newId).isEmpty()) {
      armTimers(state);
      return Effect().none().thenNoReply();
    }
    return change(state, now, List.of()).thenNoReply();
  }

  private ReplyEffect<Event, State> onReconnectGraceEnded(State state, ReconnectGraceEnded command) {
    Optional<Ticket> ticket = state.ticket(command.ticketId());
    if (ticket.isEmpty() || ticket.get().connected()) return Effect().none().thenNoReply();
    Instant now = clock.instant();
    return change(state, now,
        List.of(new TicketAbandoned(command.ticketId(), AbandonReason.RECONNECT_GRACE_EXPIRED, now))).thenNoReply();
  }

  /** A ticket under offer is let be: the agent decides; if the offer ends without a call the timer fires at once. */
  private ReplyEffect<Event, State> onMaxWaitReached(State state, MaxWaitReached command) {
    Optional<Ticket> ticket = state.ticket(command.ticketId());
    if (ticket.isEmpty() || state.maxWaitDeadline(ticket.get()) == null
        || state.reservationForTicket(command.ticketId()).isPresent()) {
      return Effect().none().thenNoReply();
    }
    Instant now = clock.instant();
    return change(state, now,
        List.of(new TicketAbandoned(command.ticketId(), AbandonReason.MAX_WAIT_REACHED, now))).thenNoReply();
  }

  private ReplyEffect<Event, State> onAgentPresence(State state, AgentPresence command) {
    if (!settable(command)) {
      return Effect().reply(command.replyTo(), Refused.because(Refusal.INVALID_PRESENCE));
    }
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    // Whatever presence they choose, an agent who speaks is connected again.
    state.agent(command.agentId())
        .filter(agent -> !agent.connected())
        .ifPresent(agent -> events.add(new AgentReconnected(agent.agentId(), now)));
    events.addAll(presenceChange(state.applyAll(events), command.agentId(), command.presence(), command.languages(),
        command.skills(), ReleaseReason.AGENT_UNAVAILABLE, now));
    return change(state, now, events).thenReply(command.replyTo(), after -> Confirmed.INSTANCE);
  }

  /** BUSY comes only from accepting; ids and tags stay within the bounds tickets have. */
  private static boolean settable(AgentPresence command) {
    return command.agentId() != null && !command.agentId().isBlank()
        && command.agentId().length() <= TicketDetails.MAX_TAG_LENGTH
        && command.presence() != null && command.presence() != Presence.BUSY
        && (command.languages() == null || TicketDetails.tagsWithinBounds(TicketDetails.tags(command.languages())))
        && (command.skills() == null || TicketDetails.tagsWithinBounds(TicketDetails.tags(command.skills())));
  }

  private ReplyEffect<Event, State> onAgentDisconnected(State state, AgentDisconnected command) {
    Optional<Agent> agent = state.agent(command.agentId());
    if (agent.isEmpty() || !agent.get().connected() || agent.get().presence() == Presence.OFFLINE) {
      return Effect().none().thenNoReply();
    }
    Instant now = clock.instant();
    return change(state, now, List.of(new AgentConnectionLost(command.agentId(), now))).thenNoReply();
  }

  private ReplyEffect<Event, State> onAgentGraceEnded(State state, AgentGraceEnded command) {
    Optional<Agent> agent = state.agent(command.agentId());
    if (agent.isEmpty() || agent.get().connected()) return Effect().none().thenNoReply();
    Instant now = clock.instant();
    List<Event> events = presenceChange(state, command.agentId(), Presence.OFFLINE, null, null,
        ReleaseReason.AGENT_DISCONNECTED, now);
    return change(state, now, events).thenNoReply();
  }

  private ReplyEffect<Event, State> onCorrectTicketDetails(State state, CorrectTicketDetails command) {
    Optional<TicketDetailsCorrected> correction =
        state.correction(command.ticketId(), command.details(), clock.instant());
    if (correction.isEmpty()) return Effect().reply(command.replyTo(), Refused.because(Refusal.INVALID_TICKET));
    TicketDetailsCorrected corrected = correction.get();
    return change(state, corrected.at(), List.of(corrected)).thenReply(command.replyTo(),
        after -> new TicketCorrected(corrected.ticketId(), corrected.details(), corrected.at()));
  }

  private ReplyEffect<Event, State> onAccept(State state, AcceptReservation accept) {
    Optional<Assignment> done = state.assignmentOf(accept.reservationId())
        .filter(assignment -> assignment.agentId().equals(accept.agentId()));
    if (done.isPresent()) {
      // The same accept again (its answer was late or lost): the same room, nothing new.
      Assignment a = done.get();
      return Effect().reply(accept.replyTo(),
          new Assigned(a.reservationId(), a.ticketId(), a.agentId(), a.roomId(), a.subjectId()));
    }
    Optional<Refusal> refusal = state.refusalToAnswer(accept.reservationId(), accept.agentId());
    if (refusal.isPresent()) return Effect().reply(accept.replyTo(), Refused.because(refusal.get()));
    Instant now = clock.instant();
    Reservation r = state.reservation(accept.reservationId()).orElseThrow();
    String subjectId = state.ticket(r.ticketId()).map(ticket -> ticket.details().subjectId()).orElse(null);
    String roomId = newId();
    var accepted = new ReservationAccepted(r.reservationId(), r.ticketId(), r.agentId(), roomId, now);
    context.getLog().info("Agent {} accepts ticket {} of tenant {}: room {}", r.agentId(), r.ticketId(), tenantId, roomId);
    return change(state, now, List.of(accepted))
        .thenReply(accept.replyTo(), after -> new Assigned(r.reservationId(), r.ticketId(), r.agentId(), roomId,
            subjectId));
  }

  private ReplyEffect<Event, State> onReject(State state, RejectReservation reject) {
    Optional<Refusal> refusal = state.refusalToAnswer(reject.reservationId(), reject.agentId());
    if (refusal.isPresent()) return Effect().reply(reject.replyTo(), Refused.because(refusal.get()));
    Instant now = clock.instant();
    Reservation reservation = state.reservation(reject.reservationId()).orElseThrow();
    return change(state, now, missedOffer(state, reservation, ReleaseReason.REJECTED, now))
        .thenReply(reject.replyTo(), after -> Confirmed.INSTANCE);
  }

  private ReplyEffect<Event, State> onReservationTimedOut(State state, ReservationTimedOut command) {
    Optional<Reservation> reservation = state.reservation(command.reservationId());
    if (reservation.isEmpty()) return Effect().none().thenNoReply();
    Instant now = clock.instant();
    return change(state, now, missedOffer(state, reservation.get(), ReleaseReason.EXPIRED, now)).thenNoReply();
  }

  private ReplyEffect<Event, State> onAgentFinishedCall(State state, AgentFinishedCall command) {
    Optional<Agent> agent = state.agent(command.agentId());
    if (agent.isEmpty() || agent.get().presence() != Presence.BUSY
        || (command.roomId() != null && !command.roomId().equals(agent.get().roomId()))) {
      return Effect().reply(command.replyTo(), Refused.because(Refusal.AGENT_NOT_BUSY));
    }
    Instant now = clock.instant();
    return change(state, now, List.of(callFinished(agent.get(), now)))
        .thenReply(command.replyTo(), after -> Confirmed.INSTANCE);
  }

  private ReplyEffect<Event, State> onUpdateSettings(State state, UpdateSettings command) {
    if (command.settings() == null || !command.settings().valid()) {
      return Effect().reply(command.replyTo(), Refused.because(Refusal.INVALID_SETTINGS));
    }
    Instant now = clock.instant();
    List<Event> events = command.settings().equals(state.settings())
        ? List.of()
        : List.of(new SettingsUpdated(command.settings(), now));
    return change(state, now, events).thenReply(command.replyTo(), after -> Confirmed.INSTANCE);
  }

  private ReplyEffect<Event, State> onUpdateOpening(State state, UpdateOpening command) {
    Instant now = clock.instant();
    Instant reopens = command.open() ? null : command.nextOpeningAt();
    boolean same = state.open() == command.open() && Objects.equals(state.nextOpeningAt(), reopens);
    List<Event> events = same ? List.of() : List.of(new OpeningChanged(command.open(), reopens, now));
    return change(state, now, events).thenReply(command.replyTo(), after -> Confirmed.INSTANCE);
  }

  private ReplyEffect<Event, State> onUpdateSuspension(State state, UpdateSuspension command) {
    Instant now = clock.instant();
    List<Event> events = state.suspended() == command.suspended()
        ? List.of()
        : List.of(new SuspensionChanged(command.suspended(), now));
    return change(state, now, events).thenReply(command.replyTo(), after -> Confirmed.INSTANCE);
  }

  private ReplyEffect<Event, State> onUpdateAdmission(State state, UpdateAdmission command) {
    Instant now = clock.instant();
    List<Event> events = command.admission() == null || state.admission().equals(command.admission())
        ? List.of()
        : List.of(new AdmissionChanged(command.admission(), now));
    // A raised call limit may let waiting tickets be offered: change() routes after the events.
    return change(state, now, events).thenReply(command.replyTo(), after -> Confirmed.INSTANCE);
  }

  /** A new subscriber, or one that saw a gap: one snapshot, numbered like the last change in it. */
  private ReplyEffect<Event, State> onSubscribe(State state, Subscribe command) {
    return Effect().none()
        .thenRun(current -> {
          if (subscribers.put(command.subscriber(), command.withNames()) == null) {
            context.watchWith(command.subscriber(), new SubscriberTerminated(command.subscriber()));
          }
          command.subscriber().tell(new QueueUpdate.Snapshot(context.getSelf(), published,
              current.forSubscriber(command.withNames())));
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> unsubscribe(ActorRef<QueueUpdate> subscriber) {
    return Effect().none()
        .thenRun(current -> {
          if (subscribers.remove(subscriber) != null) context.unwatch(subscriber);
        })
        .thenNoReply();
  }

  // Decisions shared by several commands

  /**
   * Persists the events plus the offers routing makes after them, then re-arms timers and tells
   * subscribers (with the command's request id, {@link Traced#carrying}). Nothing to persist:
   * nothing happens.
   */
  private EffectBuilder<Event, State> change(State state, Instant now, List<Event> events) {
    List<Event> all = new ArrayList<>(events);
    State next = state.applyAll(events);
    // The queue follows the business hours it was given: opening or closing is part of the change.
    Optional<OpeningChanged> turned = next.openingByHours(now);
    if (turned.isPresent()) {
      all.add(turned.get());
      next = next.apply(turned.get());
    }
    all.addAll(next.route(now, TenantQueue::newId));
    if (all.isEmpty()) return Effect().none();
    List<Event> persisted = List.copyOf(all);
    return Effect().persist(persisted).thenRun(Traced.carrying(after -> {
      armTimers(after);
      publish(persisted);
    }));
  }

  /** Rejected or expired: the ticket keeps its place and the agent, who did not take it, turns away. */
  private static List<Event> missedOffer(State state, Reservation reservation, ReleaseReason reason, Instant now) {
    Agent agent = state.agent(reservation.agentId()).orElseThrow();
    return List.of(
        released(reservation, reason, now),
        new AgentPresenceChanged(agent.agentId(), Presence.AWAY, agent.languages(), agent.skills(), now));
  }

  /**
   * Leaving a call by changing presence ends the call; leaving availability releases an open
   * offer. Re-announcing what the queue already knows persists nothing.
   */
  private static List<Event> presenceChange(State state, String agentId, Presence presence, Set<String> languages,
      Set<String> skills, ReleaseReason releaseReason, Instant now) {
    Optional<Agent> current = state.agent(agentId);
    Set<String> nextLanguages = languages != null
        ? TicketDetails.tags(languages) : current.map(Agent::languages).orElse(Set.of());
    Set<String> nextSkills = skills != null ? TicketDetails.tags(skills) : current.map(Agent::skills).orElse(Set.of());
    List<Event> events = new ArrayList<>();
    current.filter(agent -> agent.presence() == Presence.BUSY).ifPresent(agent -> events.add(callFinished(agent, now)));
    if (presence != Presence.AVAILABLE) {
      state.reservationForAgent(agentId).ifPresent(r -> events.add(released(r, releaseReason, now)));
    }
    Optional<Agent> before = state.applyAll(events).agent(agentId);
    boolean unchanged = before.isPresent() && before.get().presence() == presence
        && before.get().languages().equals(nextLanguages) && before.get().skills().equals(nextSkills);
    if (!unchanged) events.add(new AgentPresenceChanged(agentId, presence, nextLanguages, nextSkills, now));
    return events;
  }

  private static ReservationReleased released(Reservation reservation, ReleaseReason reason, Instant now) {
    return new ReservationReleased(
        reservation.reservationId(), reservation.ticketId(), reservation.agentId(), reason, now);
  }

  private static CallFinished callFinished(Agent agent, Instant now) {
    Duration handleTime = Duration.between(agent.since(), now);
    return new CallFinished(agent.agentId(), agent.roomId(), handleTime.isNegative() ? Duration.ZERO : handleTime, now);
  }

  // Side effects after a change

  /** The timers the state asks for, and only those: derived again after every change and on recovery. */
  private void armTimers(State state) {
    Map<TimerKey, Command> due = new HashMap<>();
    for (Reservation r : state.reservations()) {
      due.put(new TimerKey("reservation", r.reservationId(), r.expiresAt()),
          new ReservationTimedOut(r.reservationId()));
    }
    for (Ticket ticket : state.tickets()) {
      if (ticket.connected()) continue;
      Instant deadline = ticket.disconnectedAt().plus(state.settings().reconnectGrace());
      due.put(new TimerKey("reconnect", ticket.ticketId(), deadline), new ReconnectGraceEnded(ticket.ticketId()));
    }
    Instant at = clock.instant();
    for (Ticket ticket : state.tickets()) {
      // A booked ticket is routed again when its time comes and when its booked agent's window ends.
      if (ticket.booking() == null || state.reservationForTicket(ticket.ticketId()).isPresent()) continue;
      Instant next = at.isBefore(ticket.booking().startsAt()) ? ticket.booking().startsAt()
          : at.isBefore(ticket.booking().agentOnlyUntil()) ? ticket.booking().agentOnlyUntil() : null;
      if (next != null) {
        due.put(new TimerKey("booked", ticket.ticketId(), next), new BookedTicketDue(ticket.ticketId()));
      }
    }
    for (Ticket ticket : state.tickets()) {
      Instant deadline = state.maxWaitDeadline(ticket);
      if (deadline == null || state.reservationForTicket(ticket.ticketId()).isPresent()) continue;
      due.put(new TimerKey("max-wait", ticket.ticketId(), deadline), new MaxWaitReached(ticket.ticketId()));
    }
    Instant turn = hoursTurn(state, at);
    if (turn != null) due.put(new TimerKey("hours", "", turn), HoursTurned.INSTANCE);
    for (Agent agent : state.agents()) {
      if (agent.connected()) continue;
      Instant deadline = agent.disconnectedAt().plus(state.settings().agentReconnectGrace());
      due.put(new TimerKey("agent-reconnect", agent.agentId(), deadline), new AgentGraceEnded(agent.agentId()));
    }
    armedTimers.removeIf(key -> {
      boolean stale = !due.containsKey(key);
      if (stale) timers.cancel(key);
      return stale;
    });
    Instant now = clock.instant();
    due.forEach((key, message) -> {
      if (armedTimers.add(key)) {
        Duration delay = Duration.between(now, key.deadline());
        timers.startSingleTimer(key, message, delay.isNegative() ? Duration.ZERO : delay);
      }
    });
  }

  /** The change, numbered, to every subscriber: with names for those that show them, else without personal data. */
  /** The next opening or closing, computed again only when the hours or the opening changed (or it passed). */
  private Instant hoursTurn(State state, Instant now) {
    List<Object> basis = List.of(Objects.requireNonNullElse(state.settings().hours(), ""), state.open());
    if (!basis.equals(hoursTurnBasis) || (hoursTurnAt != null && !hoursTurnAt.isAfter(now))) {
      hoursTurnBasis = basis;
      hoursTurnAt = state.hoursTurnAfter(now);
    }
    return hoursTurnAt;
  }

  private void publish(List<Event> changes) {
    long seq = ++published;
    if (subscribers.isEmpty()) return;
    QueueUpdate.Changes[] variants = new QueueUpdate.Changes[2];
    subscribers.forEach((subscriber, withNames) -> {
      int which = withNames ? 1 : 0;
      if (variants[which] == null) {
        variants[which] = new QueueUpdate.Changes(context.getSelf(), seq, forSubscriber(changes, withNames));
      }
      subscriber.tell(variants[which]);
    });
  }

  /** Only a join and a correction carry a ticket's details: stripped as {@link State#forSubscriber} strips them. */
  static List<Event> forSubscriber(List<Event> changes, boolean withNames) {
    if (changes.stream().noneMatch(change -> change instanceof TicketJoined || change instanceof TicketDetailsCorrected)) {
      return changes;
    }
    return changes.stream()
        .map(change -> change instanceof TicketJoined joined
            ? new TicketJoined(joined.ticket().forSubscriber(withNames))
            : change instanceof TicketDetailsCorrected corrected
                ? new TicketDetailsCorrected(corrected.ticketId(), corrected.details().forSubscriber(withNames),
                    corrected.at())
                : change)
        .toList();
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }

  static final String OFFER_ACCEPTED = "accepted";
  static final String OFFER_ENDED = "ended";

  /**
   * Why a reservation is no longer open, from the changes that closed it: {@code accepted}, the
   * release reason in lower case ({@code rejected}, {@code expired}, ...), or {@code ended} when
   * the changes do not say (the listener subscribed again and missed them, or the ticket left).
   */
  public static String whyOfferEnded(List<Event> changes, String reservationId) {
    for (Event change : changes) {
      if (change instanceof ReservationReleased released && released.reservationId().equals(reservationId)) {
        return released.reason().name().toLowerCase(java.util.Locale.ROOT);
      }
      if (change instanceof ReservationAccepted accepted && accepted.reservationId().equals(reservationId)) {
        return OFFER_ACCEPTED;
      }
    }
    return OFFER_ENDED;
  }

  /** A sender-made resume token is kept only when it is long enough to be unguessable. */
  static boolean joinTokenUsable(String resumeToken) {
    return resumeToken != null && resumeToken.length() >= MIN_RESUME_TOKEN_LENGTH
        && resumeToken.length() <= MAX_RESUME_TOKEN_LENGTH;
  }

  public static final int MIN_RESUME_TOKEN_LENGTH = 32;
  public static final int MAX_RESUME_TOKEN_LENGTH = 128;

  /** 256 random bits, URL-safe: the shopper's proof of owning a ticket. */
  public static String newResumeToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  // ---------------------------------------------------------------------------------------------
  // Event handlers

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state.apply(event));
  }
}
