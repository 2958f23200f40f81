package io.videoshop.queue;

import io.videoshop.config.ClusterSettings;
import io.videoshop.http.ClientFrames;
import io.videoshop.http.RateLimit;
import io.videoshop.http.Sockets;
import io.videoshop.protocol.ConsoleEvent;
import io.videoshop.protocol.ConsoleRequest;
import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.Hello;
import io.videoshop.protocol.ProtocolCodec;
import io.videoshop.domain.RoomPass;
import io.videoshop.access.RoomTokens;
import io.videoshop.scheduling.AppointmentNotices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * One agent's console socket: the live queue (a snapshot on connect, then after every change),
 * offers for this agent, and the agent's presence and answers sent on to {@link TenantQueue}.
 * When the socket drops the queue is told; the agent goes offline after the agent grace unless a
 * console of theirs reconnects (on any node) and sets a presence.
 */
final class AgentSession extends AbstractBehavior<AgentSession.Command> {

  interface Command extends NoSerializationVerificationNeeded {}

  record FromClient(Sockets.Inbound inbound) implements Command {}

  private record Viewed(QueueFeed.View view) implements Command {}

  private record Notice(AppointmentNotices.AppointmentSoon notice) implements Command {}

  private record Answered(String request, Object reply, Throwable failure) implements Command {}

  private record AcceptAnswered(String reservationId, TenantQueue.AcceptReply reply, Throwable failure, int attempt)
      implements Command {}

  private static final int ACCEPT_ATTEMPTS = 3;

  /** {@code tokenVersion}: the agent's token version, carried into its room tokens (a raise ends them too). */
  static Behavior<Command> create(String tenantId, String agentId, int tokenVersion, ActorRef<Sockets.Outbound> out,
      EntityRef<TenantQueue.Command> queue, ActorRef<QueueFeeds.Command> feeds, RoomTokens roomTokens, Clock clock) {
    return Behaviors.setup(context -> new AgentSession(context, tenantId, agentId, tokenVersion, out, queue, feeds,
        roomTokens, clock));
  }

  private final String tenantId;
  private final String agentId;
  private final int tokenVersion;
  private final RoomTokens roomTokens;
  /**
   * The data subject of each ticket in the latest view, for the room token when this agent
   * accepts it (tickets that left are dropped, so it never outgrows the queue).
   */
  private Map<String, String> subjects = new HashMap<>();
  /** The reservations this console announced an assignment for (the last few only). */
  private final java.util.ArrayDeque<String> assignedAnnounced = new java.util.ArrayDeque<>();
  private final ActorRef<Sockets.Outbound> out;
  private final EntityRef<TenantQueue.Command> queue;
  private final Clock clock;
  private final RateLimit rateLimit = new RateLimit(30, 10, System.nanoTime());
  private final Duration askTimeout;
  /** Offers announced to this agent and not yet ended, by reservation id. */
  private final Map<String, Reservation> offers = new HashMap<>();
  private boolean reconnectAnnounced;
  /** The socket closed (the queue was told). */
  private boolean closed;

  private AgentSession(ActorContext<Command> context, String tenantId, String agentId, int tokenVersion,
      ActorRef<Sockets.Outbound> out, EntityRef<TenantQueue.Command> queue, ActorRef<QueueFeeds.Command> feeds,
      RoomTokens roomTokens, Clock clock) {
    super(context);
    this.askTimeout = ClusterSettings.askTimeout(context.getSystem().settings().config());
    this.tenantId = tenantId;
    this.tokenVersion = tokenVersion;
    this.roomTokens = roomTokens;
    this.agentId = agentId;
    this.out = out;
    this.queue = queue;
    this.clock = clock;
    send(new Hello("agent", tenantId, ProtocolCodec.MAX_FRAME_BYTES));
    feeds.tell(new QueueFeeds.Attach(tenantId, context.messageAdapter(QueueFeed.View.class, Viewed::new), true));
    AppointmentNotices.get(context.getSystem())
        .subscribe(context.messageAdapter(AppointmentNotices.AppointmentSoon.class, Notice::new));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromClient.class, message -> onClient(message.inbound()))
        .onMessage(Viewed.class, viewed -> onView(viewed.view()))
        .onMessage(Notice.class, this::onNotice)
        .onMessage(Answered.class, this::onAnswer)
        .onMessage(AcceptAnswered.class, this::onAcceptAnswer)
        .onSignal(PostStop.class, stopped -> {
          // However it ends (the socket closed, or a bug stopped it): the queue starts the agent's
          // grace, and the socket closes so the console reconnects.
          if (!closed) queue.tell(new TenantQueue.AgentDisconnected(agentId));
          out.tell(new Sockets.Close());
          return this;
        })
        .build();
  }

  /** Every agent's appointment notices reach every console: this one passes on its agent's own. */
  private Behavior<Command> onNotice(Notice message) {
    AppointmentNotices.AppointmentSoon notice = message.notice();
    if (notice.tenantId().equals(tenantId) && notice.agentId().equals(agentId)) {
      send(new ConsoleEvent.AppointmentSoon(notice.bookingId(), notice.startsAt()));
    }
    return this;
  }

  private Behavior<Command> onClient(Sockets.Inbound inbound) {
    if (inbound instanceof Sockets.Closed) {
      closed = true;
      queue.tell(new TenantQueue.AgentDisconnected(agentId));
      return Behaviors.stopped();
    }
    Optional<ConsoleRequest> decoded = ClientFrames.read(inbound, rateLimit, ConsoleRequest.class, out);
    if (decoded.isEmpty()) return this;
    ConsoleRequest request = decoded.get();
    if (request instanceof ConsoleRequest.SetPresence presence) return onPresence(presence);
    if (request instanceof ConsoleRequest.Accept accept) {
      if (accept.reservationId() == null) return invalid("reservationId", "is required");
      askToAccept(accept.reservationId(), 1);
    } else if (request instanceof ConsoleRequest.Reject reject) {
      if (reject.reservationId() == null) return invalid("reservationId", "is required");
      getContext().ask(TenantQueue.Confirmation.class, queue, askTimeout,
          replyTo -> new TenantQueue.RejectReservation(reject.reservationId(), agentId, replyTo),
          (reply, failure) -> new Answered("reject", reply, failure));
    } else {
      getContext().ask(TenantQueue.Confirmation.class, queue, askTimeout,
          replyTo -> new TenantQueue.AgentFinishedCall(agentId, null, replyTo),
          (reply, failure) -> new Answered("finish-call", reply, failure));
    }
    return this;
  }

  private Behavior<Command> onPresence(ConsoleRequest.SetPresence request) {
    Presence presence;
    try {
      presence = Presence.valueOf(String.valueOf(request.presence()).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return invalid("presence", "must be available, away or offline");
    }
    if (presence == Presence.BUSY) return invalid("presence", "busy comes from accepting a shopper");
    Set<String> languages = request.languages() == null ? null : new HashSet<>(request.languages());
    Set<String> skills = request.skills() == null ? null : new HashSet<>(request.skills());
    getContext().ask(TenantQueue.Confirmation.class, queue, askTimeout,
        replyTo -> new TenantQueue.AgentPresence(agentId, presence, languages, skills, replyTo),
        (reply, failure) -> new Answered("presence", reply, failure));
    return this;
  }

  private void askToAccept(String reservationId, int attempt) {
    getContext().ask(TenantQueue.AcceptReply.class, queue, askTimeout,
        replyTo -> new TenantQueue.AcceptReservation(reservationId, agentId, replyTo),
        (reply, failure) -> new AcceptAnswered(reservationId, reply, failure, attempt));
  }

  /**
   * The queue answers a repeated accept with the same room, so a late answer is asked for again;
   * the queue's update saying the reservation was accepted also announces the room, whichever
   * comes first.
   */
  private Behavior<Command> onAcceptAnswer(AcceptAnswered answer) {
    if (answer.failure() != null) {
      if (answer.attempt() < ACCEPT_ATTEMPTS) {
        askToAccept(answer.reservationId(), answer.attempt() + 1);
        return this;
      }
      return error("unavailable", "The queue did not answer; try again");
    }
    if (answer.reply() instanceof TenantQueue.Assigned assigned) {
      announceAssigned(assigned.reservationId(), assigned.ticketId(), assigned.roomId(), assigned.subjectId());
      return this;
    }
    TenantQueue.Refused refused = (TenantQueue.Refused) answer.reply();
    return error(refused.reason().code(), "The queue refused accept: " + refused.reason().code());
  }

  private void announceAssigned(String reservationId, String ticketId, String roomId, String subjectId) {
    offers.remove(reservationId);
    if (assignedAnnounced.contains(reservationId)) return;
    assignedAnnounced.addLast(reservationId);
    if (assignedAnnounced.size() > 8) assignedAnnounced.removeFirst();
    RoomPass pass = RoomPass.agent(roomId, tenantId, ticketId, agentId, subjectId);
    send(new ConsoleEvent.Assigned(reservationId, ticketId, roomId, roomTokens.issue(pass, tokenVersion)));
  }

  private Behavior<Command> onAnswer(Answered answer) {
    if (answer.failure() != null) return error("unavailable", "The queue did not answer; try again");
    if (answer.reply() instanceof TenantQueue.Refused refused) {
      return error(refused.reason().code(), "The queue refused " + answer.request() + ": " + refused.reason().code());
    }
    send(new ConsoleEvent.Done(answer.request()));
    return this;
  }

  private Behavior<Command> onView(QueueFeed.View feed) {
    QueueView view = feed.view();
    Instant now = clock.instant();
    for (TenantQueue.Event change : feed.changes()) {
      // Accepted for this agent (by this console or one of the agent's others): the room, even
      // when the answer to the accept is late or lost.
      if (change instanceof TenantQueue.ReservationAccepted accepted && accepted.agentId().equals(agentId)) {
        announceAssigned(accepted.reservationId(), accepted.ticketId(), accepted.roomId(),
            subjects.get(accepted.ticketId()));
      }
    }
    Map<String, String> current = new HashMap<>();
    view.tickets().forEach(ticket -> current.put(ticket.ticketId(), ticket.details().subjectId()));
    subjects = current;
    Map<String, String> reservedFor = new HashMap<>();
    view.reservations().forEach(reservation -> reservedFor.put(reservation.ticketId(), reservation.agentId()));
    List<ConsoleEvent.WaitingShopper> tickets = view.tickets().stream()
        .map(ticket -> shopper(ticket, feed.names(), reservedFor, now)).toList();
    List<ConsoleEvent.AgentState> agents = view.agents().stream()
        .map(agent -> new ConsoleEvent.AgentState(agent.agentId(), agent.presence().name().toLowerCase(Locale.ROOT),
            agent.since(), agent.connected()))
        .toList();
    send(new ConsoleEvent.QueueState(view.at(), view.open(), view.nextOpeningAt(), tickets, agents));
    announceOffers(view, tickets, feed.changes());
    reannounceAfterReconnect(view);
    return this;
  }

  private void announceOffers(QueueView view, List<ConsoleEvent.WaitingShopper> tickets, List<TenantQueue.Event> changes) {
    Set<String> open = new HashSet<>();
    for (Reservation reservation : view.reservations()) {
      if (!reservation.agentId().equals(agentId)) continue;
      open.add(reservation.reservationId());
      if (offers.putIfAbsent(reservation.reservationId(), reservation) == null) {
        tickets.stream().filter(ticket -> ticket.ticketId().equals(reservation.ticketId())).findFirst()
            .ifPresent(ticket -> send(new ConsoleEvent.Offer(reservation.reservationId(), ticket, reservation.expiresAt())));
      }
    }
    for (String ended : new HashSet<>(offers.keySet())) {
      if (open.contains(ended)) continue;
      offers.remove(ended);
      String reason = TenantQueue.whyOfferEnded(changes, ended);
      if (!TenantQueue.OFFER_ACCEPTED.equals(reason)) send(new ConsoleEvent.OfferEnded(ended, reason));
    }
  }

  /** A console that comes back finds the agent still present but disconnected: say it is back. */
  private void reannounceAfterReconnect(QueueView view) {
    if (reconnectAnnounced) return;
    reconnectAnnounced = true;
    view.agents().stream()
        .filter(agent -> agent.agentId().equals(agentId) && !agent.connected()
            && (agent.presence() == Presence.AVAILABLE || agent.presence() == Presence.AWAY))
        .findFirst()
        .ifPresent(agent -> queue.tell(new TenantQueue.AgentPresence(agentId, agent.presence(), null, null,
            getContext().getSystem().ignoreRef())));
  }

  private static ConsoleEvent.WaitingShopper shopper(QueueView.WaitingTicket ticket, Map<String, String> names,
      Map<String, String> reservedFor, Instant now) {
    TicketDetails details = ticket.details();
    return new ConsoleEvent.WaitingShopper(ticket.ticketId(), ticket.position(), names.get(ticket.ticketId()),
        details.language(), List.copyOf(details.skills()), details.productInterest(), details.productUrl(),
        Math.max(0, Duration.between(ticket.joinedAt(), now).toSeconds()), ticket.connected(),
        reservedFor.get(ticket.ticketId()));
  }

  private Behavior<Command> invalid(String field, String message) {
    send(new ErrorMessage("invalid_field", field + " " + message, field));
    return this;
  }

  private Behavior<Command> error(String code, String message) {
    send(ErrorMessage.of(code, message));
    return this;
  }

  private void send(ConsoleEvent event) {
    // The whole queue is sent each time: a slow console may skip the states it has not read.
    out.tell(new Sockets.Frame(ProtocolCodec.encode(ConsoleEvent.class, event),
        event instanceof ConsoleEvent.QueueState ? "queue" : null));
  }
}
