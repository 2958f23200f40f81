package io.videoshop.room;

import io.videoshop.domain.RoomPass;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.videoshop.http.Traced;
import io.videoshop.persistence.CborSerializable;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.ProtocolCodec;
import io.videoshop.protocol.Reconnect;
import io.videoshop.protocol.RoomEvent;
import io.videoshop.queue.TenantQueue;
import io.videoshop.wallet.Admission;
import io.videoshop.wallet.BalanceLevel;
import io.videoshop.wallet.Wallet;
import io.videoshop.wallet.WalletUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One call between a shopper and an agent: an event-sourced entity per room (entity id = room
 * id), opened by the first participant who joins with a room token. It records the call's
 * lifecycle (who joined and left, when, from what device; products shown; the end; feedback and
 * wrap-up) and relays WebRTC signaling between the two participants without storing it.
 *
 * <p>The call starts when both are connected; from then each started minute is a persisted
 * {@link MinuteStarted}, exactly once per index: the next index follows from the state, and after
 * a restart the minutes due meanwhile are caught up. A participant who drops has the reconnect
 * grace to come back; the call ends on hang-up, when the grace runs out, or at the tenant's
 * maximum call length. When it ends the queue hears that the agent's call is over (after the
 * tenant's wrap-up time). Rooms are not passivated while in use; an ended room retires itself.
 */
public final class CallRoom extends EventSourcedBehavior<CallRoom.Command, CallRoom.Event, CallRoom.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "CallRoom");
  public static final int TAG_COUNT = 4;
  public static final List<String> TAGS =
      IntStream.range(0, TAG_COUNT).mapToObj(slice -> ENTITY_KEY.name() + "-" + slice).toList();
  static final Duration MINUTE = Duration.ofMinutes(1);
  /** Per role and call: a browser reports its device once, again after a network change. */
  static final int MAX_DEVICE_REPORTS = 5;
  /** Per role and call: the selected candidate pair, reported again on an ICE restart. */
  static final int MAX_STATS_REPORTS = 20;
  static final int MAX_ADDED_TO_CART = 50;
  /** An ended room stays in memory this long for feedback and wrap-up, then passivates. */
  static final Duration RETIRE_AFTER = Duration.ofMinutes(15);
  static final Duration EMPTY_RETIRE_AFTER = Duration.ofSeconds(10);
  /** The wrap-up outcomes an agent may record. */
  public static final Set<String> OUTCOMES = Set.of("sale", "no-sale", "follow-up");
  static final String RATING_RULE = "rating is a whole number from 1 to 5";
  static final String OUTCOME_RULE = "outcome is sale, no-sale or follow-up";

  /** The shopper's rating of the call: 1 to 5 stars. */
  public static boolean validRating(Integer rating) {
    return rating != null && rating >= 1 && rating <= 5;
  }

  public static boolean validOutcome(String outcome) {
    return outcome != null && OUTCOMES.contains(outcome);
  }

  /** Room timings from configuration. */
  public record Timings(Duration reconnectGrace, Duration noShowTimeout, Duration balanceGrace) {}

  public static void init(ActorSystem<?> system, Timings timings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Neighbours neighbours = new Neighbours() {
      @Override
      public void tellQueue(String tenantId, TenantQueue.Command command) {
        sharding.entityRefFor(TenantQueue.ENTITY_KEY, tenantId).tell(command);
      }

      @Override
      public void tellWallet(String tenantId, Wallet.Command command) {
        sharding.entityRefFor(Wallet.ENTITY_KEY, tenantId).tell(command);
      }
    };
    sharding.init(Entity.of(ENTITY_KEY, entity -> create(entity.getEntityId(), timings, Clock.systemUTC(), neighbours,
            entity.getShard()))
        // A call can be quiet for minutes (media flows peer to peer): the room decides when to go.
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy())
        .withStopMessage(new Retire()));
  }

  /**
   * The entities a room talks to: the tenant's queue (the agent's call is over) and the tenant's
   * wallet (its balance, by subscription, while the call runs).
   */
  public interface Neighbours {
    void tellQueue(String tenantId, TenantQueue.Command command);

    void tellWallet(String tenantId, Wallet.Command command);
  }

  public static Behavior<Command> create(String roomId, Timings timings, Clock clock, Neighbours neighbours,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new CallRoom(roomId, context, timers, timings, clock, neighbours, shard)));
  }

  public static String tagFor(String roomId) {
    return TAGS.get(Math.abs(roomId.hashCode() % TAG_COUNT));
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  public interface Command extends CborSerializable {}

  /** A frame for a participant's socket, already encoded in the room protocol. */
  public record Outgoing(String frame, boolean close) implements CborSerializable {
    @JsonCreator
    public Outgoing {}
  }

  public sealed interface JoinReply extends CborSerializable {}

  /** In: the room to talk to from now on, and where the call stands. */
  public record Admitted(ActorRef<Command> room, boolean peerConnected, Status status, List<Product> products)
      implements JoinReply {}

  public record Refused(String code, String message) implements JoinReply {}

  /**
   * Not in this incarnation: it asked its shard to passivate it before this join came in, so it
   * is about to stop. Ask again through the shard, which keeps the join for the next incarnation.
   */
  public record Retiring() implements JoinReply {}

  /**
   * A participant enters (first time or again). Device details come from the socket; the IP is
   * encrypted under the participant's data subject.
   */
  public record Join(RoomPass pass, ActorRef<Outgoing> session, String userAgent, EncryptedPersonalData ip,
      int maxCallMinutes, int wrapUpSeconds, ActorRef<JoinReply> replyTo, String requestId) implements Command, Traced {
    /** With the request id of the work that makes it ({@link Traced#current}). */
    public Join(RoomPass pass, ActorRef<Outgoing> session, String userAgent, EncryptedPersonalData ip,
        int maxCallMinutes, int wrapUpSeconds, ActorRef<JoinReply> replyTo) {
      this(pass, session, userAgent, ip, maxCallMinutes, wrapUpSeconds, replyTo, Traced.current());
    }
  }

  /** The participant's socket closed. */
  public record Leave(String role, ActorRef<Outgoing> session, String requestId) implements Command, Traced {
    public Leave(String role, ActorRef<Outgoing> session) {
      this(role, session, Traced.current());
    }
  }

  /** WebRTC signaling for the other participant; relayed, never persisted. */
  public record Relay(String role, ActorRef<Outgoing> session, String kind, String sdp, String candidate,
      String sdpMid, Integer sdpMLineIndex) implements Command {}

  public record ReportDevice(String role, ActorRef<Outgoing> session, String connectionType, String platform)
      implements Command {}

  public record ReportStats(String role, ActorRef<Outgoing> session, String localCandidateType,
      String remoteCandidateType, Double roundTripMillis) implements Command {}

  public record ShowProduct(String role, ActorRef<Outgoing> session, Product product) implements Command {}

  public record AddToCart(String role, ActorRef<Outgoing> session, String sku) implements Command {}

  public record HangUp(String role, ActorRef<Outgoing> session, String requestId) implements Command, Traced {
    public HangUp(String role, ActorRef<Outgoing> session) {
      this(role, session, Traced.current());
    }
  }

  public record GiveFeedback(String role, ActorRef<Outgoing> session, int rating, EncryptedPersonalData comment)
      implements Command {}

  public record WrapUp(String role, ActorRef<Outgoing> session, String outcome, EncryptedPersonalData note)
      implements Command {}

  /** The room's record, for the admin API. */
  public record GetRecord(ActorRef<CallRecord> replyTo) implements Command {}

  private record GraceEnded(String role) implements Command {}

  private record MinuteDue() implements Command {}

  private record MaxLengthReached() implements Command {}

  private record NoShow() implements Command {}

  private record WrapUpOver() implements Command {}

  /** The tenant's wallet, by subscription while the call runs. */
  private record WalletChanged(WalletUpdate update) implements Command {}

  private record BalanceGraceOver() implements Command {}

  /** Recovered in a call after being down longer than the reconnect grace. */
  record LostWhileDown() implements Command {}

  /** Nothing more to do here for a while: ask sharding to passivate the room. */
  record Idle() implements Command {}

  /** Sharding's stop message: when passivated, or when the node hands its shards off. */
  public record Retire() implements Command {}

  // ---------------------------------------------------------------------------------------------
  // Events

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
    @JsonSubTypes.Type(value = RoomOpened.class, name = "RoomOpened"),
    @JsonSubTypes.Type(value = ParticipantJoined.class, name = "ParticipantJoined"),
    @JsonSubTypes.Type(value = ParticipantLeft.class, name = "ParticipantLeft"),
    @JsonSubTypes.Type(value = DeviceReported.class, name = "DeviceReported"),
    @JsonSubTypes.Type(value = CandidatesSelected.class, name = "CandidatesSelected"),
    @JsonSubTypes.Type(value = CallStarted.class, name = "CallStarted"),
    @JsonSubTypes.Type(value = MinuteStarted.class, name = "MinuteStarted"),
    @JsonSubTypes.Type(value = ProductShown.class, name = "ProductShown"),
    @JsonSubTypes.Type(value = AddedToCart.class, name = "AddedToCart"),
    @JsonSubTypes.Type(value = CallEnded.class, name = "CallEnded"),
    @JsonSubTypes.Type(value = FeedbackGiven.class, name = "FeedbackGiven"),
    @JsonSubTypes.Type(value = WrappedUp.class, name = "WrappedUp")
  })
  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  public record RoomOpened(String roomId, String tenantId, String ticketId, String agentId, String shopperSubject,
      int maxCallMinutes, int wrapUpSeconds, Instant at) implements Event {}

  public record ParticipantJoined(String role, String userAgent, EncryptedPersonalData ip, boolean again, Instant at)
      implements Event {}

  public record ParticipantLeft(String role, Instant at) implements Event {}

  public record DeviceReported(String role, String connectionType, String platform, Instant at) implements Event {}

  public record CandidatesSelected(String role, String localCandidateType, String remoteCandidateType,
      Double roundTripMillis, Instant at) implements Event {}

  public record CallStarted(Instant at) implements Event {
    @JsonCreator
    public CallStarted {}
  }

  /** The billing tick: the call entered minute {@code index} (0 is the first). */
  public record MinuteStarted(String tenantId, long index, Instant at) implements Event {}

  public record ProductShown(Product product, Instant at) implements Event {}

  public record AddedToCart(String sku, Instant at) implements Event {}

  /** @param endedBy the role that hung up, else null */
  public record CallEnded(String reason, String endedBy, long durationSeconds, Instant at) implements Event {}

  public record FeedbackGiven(int rating, EncryptedPersonalData comment, Instant at) implements Event {}

  public record WrappedUp(String outcome, EncryptedPersonalData note, Instant at) implements Event {}

  /** A product the agent shows in the call. */
  public record Product(String sku, String title, String imageUrl, String price, String productUrl)
      implements CborSerializable {}

  // ---------------------------------------------------------------------------------------------
  // State: pure transitions.

  public enum Status {
    EMPTY,
    WAITING,
    IN_CALL,
    ENDED
  }

  /** What the room knows of one participant. */
  public record Participant(boolean connected, Instant firstJoinedAt, Instant lastLeftAt, String userAgent,
      EncryptedPersonalData ip, String connectionType, String platform, String localCandidateType,
      String remoteCandidateType) implements CborSerializable {
    static Participant joined(ParticipantJoined event, Participant before) {
      return before == null
          ? new Participant(true, event.at(), null, event.userAgent(), event.ip(), null, null, null, null)
          : new Participant(true, before.firstJoinedAt(), before.lastLeftAt(), event.userAgent(), event.ip(),
              before.connectionType(), before.platform(), before.localCandidateType(), before.remoteCandidateType());
    }

    Participant left(Instant at) {
      return new Participant(false, firstJoinedAt, at, userAgent, ip, connectionType, platform, localCandidateType,
          remoteCandidateType);
    }

    Participant device(DeviceReported event) {
      return new Participant(connected, firstJoinedAt, lastLeftAt, userAgent, ip, event.connectionType(),
          event.platform(), localCandidateType, remoteCandidateType);
    }

    Participant candidates(CandidatesSelected event) {
      return new Participant(connected, firstJoinedAt, lastLeftAt, userAgent, ip, connectionType, platform,
          event.localCandidateType(), event.remoteCandidateType());
    }
  }

  public record State(Status status, RoomOpened room, Map<String, Participant> participants, Instant startedAt,
      long minutesStarted, List<Product> products, List<String> addedToCart, CallEnded ended,
      FeedbackGiven feedback, WrappedUp wrapUp, List<Event> timeline) implements CborSerializable {

    static final int TIMELINE_LIMIT = 500;

    public static State empty() {
      return new State(Status.EMPTY, null, Map.of(), null, 0, List.of(), List.of(), null, null, null, List.of());
    }

    public boolean connected(String role) {
      Participant participant = participants.get(role);
      return participant != null && participant.connected();
    }

    public boolean bothConnected() {
      return connected(RoomPass.SHOPPER) && connected(RoomPass.AGENT);
    }

    /**
     * Minutes of the call that have started by {@code now}: 1 at the start, 2 once a minute has
     * passed, never more than the maximum length allows.
     */
    public long minutesDueBy(Instant now) {
      if (startedAt == null) return 0;
      long started = Duration.between(startedAt, now).toMillis() / MINUTE.toMillis() + 1;
      return Math.min(started, room.maxCallMinutes());
    }

    /**
     * The latest moment the room is known to have run with its call: its last recorded event
     * (a join, a leave, a product, the minute ticks). After a node died nothing is known past it.
     */
    public Instant lastKnownAliveAt() {
      Instant alive = startedAt;
      if (startedAt != null && minutesStarted > 0) alive = startedAt.plus(MINUTE.multipliedBy(minutesStarted - 1));
      for (int i = timeline.size() - 1; i >= 0; i--) {
        Instant at = timeline.get(i).at();
        if (at != null) {
          if (alive == null || at.isAfter(alive)) alive = at;
          break;
        }
      }
      return alive;
    }

    /**
     * Whether one more report of this kind from this role is kept: never after the call ended,
     * at most {@code max} per role, and only while the timeline has room (a client sending
     * reports in a loop must not grow the room's journal without limit).
     */
    public boolean mayRecord(Class<? extends Event> kind, String role, int max) {
      if (status == Status.ENDED || timeline.size() >= TIMELINE_LIMIT) return false;
      long kept = timeline.stream().filter(kind::isInstance).filter(event ->
          role.equals(event instanceof DeviceReported device ? device.role()
              : event instanceof CandidatesSelected stats ? stats.role() : null)).count();
      return kept < max;
    }

    public boolean shown(String sku) {
      return products.stream().anyMatch(product -> product.sku().equals(sku));
    }

    public State apply(Event event) {
      List<Event> nextTimeline = timeline;
      if (!(event instanceof MinuteStarted) && timeline.size() < TIMELINE_LIMIT) {
        nextTimeline = new ArrayList<>(timeline);
        nextTimeline.add(event);
        nextTimeline = List.copyOf(nextTimeline);
      }
      State next = withTimeline(nextTimeline);
      if (event instanceof RoomOpened opened) {
        return next.withStatus(Status.WAITING).withRoom(opened).withStartedAt(null).withMinutesStarted(0)
            .withEnded(null).withFeedback(null).withWrapUp(null);
      }
      if (event instanceof ParticipantJoined joined) {
        return next.withParticipant(joined.role(), Participant.joined(joined, participants.get(joined.role())));
      }
      if (event instanceof ParticipantLeft left) {
        return next.withParticipant(left.role(), participants.get(left.role()).left(left.at()));
      }
      if (event instanceof DeviceReported device) {
        return next.withParticipant(device.role(), participants.get(device.role()).device(device));
      }
      if (event instanceof CandidatesSelected selected) {
        return next.withParticipant(selected.role(), participants.get(selected.role()).candidates(selected));
      }
      if (event instanceof CallStarted started) {
        return next.withStatus(Status.IN_CALL).withStartedAt(started.at()).withEnded(null).withFeedback(null)
            .withWrapUp(null);
      }
      if (event instanceof MinuteStarted minute) {
        return next.withMinutesStarted(minute.index() + 1);
      }
      if (event instanceof ProductShown shown) {
        List<Product> nextProducts = new ArrayList<>(products);
        nextProducts.removeIf(product -> product.sku().equals(shown.product().sku()));
        nextProducts.add(shown.product());
        return next.withProducts(List.copyOf(nextProducts));
      }
      if (event instanceof AddedToCart added) {
        List<String> skus = new ArrayList<>(addedToCart);
        skus.add(added.sku());
        return next.withAddedToCart(List.copyOf(skus));
      }
      if (event instanceof CallEnded callEnded) {
        Map<String, Participant> offline = new HashMap<>();
        participants.forEach((role, participant) ->
            offline.put(role, participant.connected() ? participant.left(callEnded.at()) : participant));
        return next.withStatus(Status.ENDED).withParticipants(Map.copyOf(offline)).withEnded(callEnded);
      }
      if (event instanceof FeedbackGiven given) {
        return next.withFeedback(given);
      }
      if (event instanceof WrappedUp wrapped) {
        return next.withWrapUp(wrapped);
      }
      throw new IllegalStateException("unknown event " + event);
    }

    private State withParticipant(String role, Participant participant) {
      Map<String, Participant> next = new HashMap<>(participants);
      next.put(role, participant);
      return withParticipants(Map.copyOf(next));
    }

    // One field changed, the rest kept (as in TenantQueue.State).

    State withStatus(Status next) {
      return new State(next, room, participants, startedAt, minutesStarted, products, addedToCart, ended, feedback,
          wrapUp, timeline);
    }

    State withRoom(RoomOpened next) {
      return new State(status, next, participants, startedAt, minutesStarted, products, addedToCart, ended, feedback,
          wrapUp, timeline);
    }

    State withParticipants(Map<String, Participant> next) {
      return new State(status, room, next, startedAt, minutesStarted, products, addedToCart, ended, feedback,
          wrapUp, timeline);
    }

    State withStartedAt(Instant next) {
      return new State(status, room, participants, next, minutesStarted, products, addedToCart, ended, feedback,
          wrapUp, timeline);
    }

    State withMinutesStarted(long next) {
      return new State(status, room, participants, startedAt, next, products, addedToCart, ended, feedback, wrapUp,
          timeline);
    }

    State withProducts(List<Product> next) {
      return new State(status, room, participants, startedAt, minutesStarted, next, addedToCart, ended, feedback,
          wrapUp, timeline);
    }

    State withAddedToCart(List<String> next) {
      return new State(status, room, participants, startedAt, minutesStarted, products, next, ended, feedback,
          wrapUp, timeline);
    }

    State withEnded(CallEnded next) {
      return new State(status, room, participants, startedAt, minutesStarted, products, addedToCart, next, feedback,
          wrapUp, timeline);
    }

    State withFeedback(FeedbackGiven next) {
      return new State(status, room, participants, startedAt, minutesStarted, products, addedToCart, ended, next,
          wrapUp, timeline);
    }

    State withWrapUp(WrappedUp next) {
      return new State(status, room, participants, startedAt, minutesStarted, products, addedToCart, ended, feedback,
          next, timeline);
    }

    State withTimeline(List<Event> next) {
      return new State(status, room, participants, startedAt, minutesStarted, products, addedToCart, ended, feedback,
          wrapUp, next);
    }
  }

  /** The room as the admin API shows it (personal fields still encrypted: the route decrypts them). */
  public record CallRecord(String roomId, State state) implements CborSerializable {}

  // ---------------------------------------------------------------------------------------------

  private final String roomId;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Timings timings;
  private final Clock clock;
  private final Neighbours neighbours;
  /** The balance level last heard from the wallet during this incarnation; not persisted. */
  private BalanceLevel balanceLevel = BalanceLevel.OK;
  private ActorRef<WalletUpdate> walletUpdates;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  /** The sockets of the participants in the room now; not persisted: they join again after a restart. */
  private final Map<String, ActorRef<Outgoing>> sessions = new HashMap<>();
  /** Passivation asked of the shard: a join that still reaches this incarnation is sent back. */
  private boolean retiring;

  private CallRoom(String roomId, ActorContext<Command> context, TimerScheduler<Command> timers, Timings timings,
      Clock clock, Neighbours neighbours, ActorRef<ClusterSharding.ShardCommand> shard) {
    super(PersistenceId.of(ENTITY_KEY.name(), roomId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.roomId = roomId;
    this.context = context;
    this.timers = timers;
    this.timings = timings;
    this.clock = clock;
    this.neighbours = neighbours;
    this.shard = shard;
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(tagFor(roomId));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::onRecovered).build();
  }

  /**
   * After a restart nobody's socket is known yet: whoever was connected gets the grace to join
   * again, the minutes due meanwhile are caught up, and the timers are armed again.
   */
  private void onRecovered(State state) {
    switch (state.status()) {
      // Woken by something else than a join (a look-up of the call, a sweep): gone a little
      // later, unless somebody joins meanwhile.
      case EMPTY -> timers.startSingleTimer(Idle.class, new Idle(), EMPTY_RETIRE_AFTER);
      case WAITING -> timers.startSingleTimer(NoShow.class, new NoShow(), timings.noShowTimeout());
      case IN_CALL -> {
        Instant lostAt = state.lastKnownAliveAt().plus(timings.reconnectGrace());
        if (!now().isBefore(lostAt)) {
          // Down longer than the grace (its node died): nobody can have been in the call since
          // the grace ran out, so it ends there and no minute after it is billed.
          context.getSelf().tell(new LostWhileDown());
          return;
        }
        for (String role : List.of(RoomPass.SHOPPER, RoomPass.AGENT)) {
          timers.startSingleTimer(GraceEnded.class.getName() + role, new GraceEnded(role), timings.reconnectGrace());
        }
        armCallTimers(state);
        watchBalance(state, true);
      }
      case ENDED -> {
        // Handed off during wrap-up: the agent is still busy in the queue until the wrap-up is
        // over, so its timer is armed again for what is left (at once when it already passed).
        Instant wrapUpOver = state.ended().at().plus(Duration.ofSeconds(state.room().wrapUpSeconds()));
        timers.startSingleTimer(WrapUpOver.class, new WrapUpOver(), positive(Duration.between(now(), wrapUpOver)));
        timers.startSingleTimer(Idle.class, new Idle(), RETIRE_AFTER);
      }
    }
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    // A session's commands carry its request id: the lines logged for them carry it too.
    return Traced.handler(newCommandHandlerBuilder().forAnyState()
        .onCommand(Join.class, this::onJoin)
        .onCommand(Leave.class, this::onLeave)
        .onCommand(Relay.class, this::onRelay)
        .onCommand(ReportDevice.class, (state, command) -> inRoom(state, command.role(), command.session())
            && state.mayRecord(DeviceReported.class, command.role(), MAX_DEVICE_REPORTS)
            ? Effect().persist(new DeviceReported(command.role(), command.connectionType(), command.platform(), now()))
            : Effect().none())
        .onCommand(ReportStats.class, (state, command) -> inRoom(state, command.role(), command.session())
            && state.mayRecord(CandidatesSelected.class, command.role(), MAX_STATS_REPORTS)
            ? Effect().persist(new CandidatesSelected(command.role(), command.localCandidateType(),
                command.remoteCandidateType(), command.roundTripMillis(), now()))
            : Effect().none())
        .onCommand(ShowProduct.class, this::onShowProduct)
        .onCommand(AddToCart.class, this::onAddToCart)
        .onCommand(HangUp.class, this::onHangUp)
        .onCommand(GiveFeedback.class, this::onFeedback)
        .onCommand(WrapUp.class, this::onWrapUp)
        .onCommand(GetRecord.class, (state, command) -> Effect().reply(command.replyTo(), new CallRecord(roomId, state)))
        .onCommand(GraceEnded.class, (state, command) -> state.status() == Status.IN_CALL
            && !sessions.containsKey(command.role()) ? end(state, "participant-lost", null) : Effect().none())
        .onCommand(LostWhileDown.class, (state, command) -> state.status() == Status.IN_CALL
            ? end(state, "participant-lost", null) : Effect().none())
        .onCommand(MinuteDue.class, this::onMinuteDue)
        .onCommand(MaxLengthReached.class, (state, command) -> state.status() == Status.IN_CALL
            ? end(state, "max-length", null) : Effect().none())
        .onCommand(NoShow.class, (state, command) -> state.status() == Status.WAITING
            ? end(state, "no-show", null) : Effect().none())
        .onCommand(WalletChanged.class, (state, command) -> onBalance(state, levelForCall(command.update().admission())))
        .onCommand(BalanceGraceOver.class, (state, command) -> state.status() == Status.IN_CALL
            ? end(state, "balance-exhausted", null) : Effect().none())
        .onCommand(WrapUpOver.class, (state, command) -> {
          tellQueueTheCallIsOver(state);
          return Effect().none();
        })
        .onCommand(Idle.class, (state, command) -> {
          // A participant may have joined since the Idle was timed: only an unused or finished room goes.
          if (!retiring && (state.status() == Status.EMPTY || state.status() == Status.ENDED)) {
            retiring = true;
            shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
          }
          return Effect().none();
        })
        .onCommand(Retire.class, (state, command) -> Effect().stop())
        .build());
  }

  private Effect<Event, State> onJoin(State state, Join join) {
    RoomPass pass = join.pass();
    // A join delivered before the shard took the passivation in would be lost with this
    // incarnation (and its peer would start the call in the next one without it).
    if (retiring) return Effect().reply(join.replyTo(), new Retiring());
    if (state.status() != Status.EMPTY && !matches(state.room(), pass)) {
      return Effect().reply(join.replyTo(), new Refused("not_in_this_room", "This token is for another call"));
    }
    List<Event> events = new ArrayList<>();
    if (state.status() == Status.EMPTY) {
      events.add(new RoomOpened(roomId, pass.tenantId(), pass.ticketId(), pass.agentId(), pass.shopperSubject(),
          join.maxCallMinutes(), join.wrapUpSeconds(), now()));
    }
    boolean again = state.participants().containsKey(pass.role());
    context.getLog().info("The {} {} room {} (ticket {})", pass.role(), again ? "comes back to" : "enters", roomId,
        pass.ticketId());
    if (state.status() != Status.ENDED) {
      events.add(new ParticipantJoined(pass.role(), truncate(join.userAgent(), 300), join.ip(), again, now()));
    }
    State joined = applyAll(state, events);
    // Both are in only when the other's socket is here too: after a hand-off the journal still
    // says the first one is connected until its socket joins this incarnation again.
    String peer = other(pass.role());
    boolean starts = joined.status() == Status.WAITING && joined.bothConnected() && sessions.containsKey(peer);
    if (starts) {
      // Both are in: the call and its first billed minute start in the same write.
      Instant at = now();
      events.add(new CallStarted(at));
      events.add(new MinuteStarted(joined.room().tenantId(), 0, at));
    }
    ActorRef<Outgoing> previous = sessions.put(pass.role(), join.session());
    if (previous != null && !previous.equals(join.session())) {
      // The same participant in a second tab or after a reconnect the room did not see yet: one socket each.
      previous.tell(frame(new Reconnect("replaced", 0), true));
    }
    context.watchWith(join.session(), new Leave(pass.role(), join.session()));
    boolean opened = state.status() == Status.EMPTY;
    // With the join's request id: what the callback sends (the wallet's subscription) carries it.
    return Effect().persist(events).thenRun(Traced.carrying(after -> {
      timers.cancel(GraceEnded.class.getName() + pass.role());
      if (after.status() != Status.ENDED) send(other(pass.role()), new RoomEvent.PeerJoined(pass.role()));
      if (starts) {
        timers.cancel(NoShow.class);
        broadcast(new RoomEvent.CallStarted(after.startedAt()));
        broadcast(new RoomEvent.Minute(0));
        armCallTimers(after);
        watchBalance(after, true);
      } else if (opened) {
        timers.startSingleTimer(NoShow.class, new NoShow(), timings.noShowTimeout());
      }
    })).thenReply(join.replyTo(), after -> new Admitted(context.getSelf(),
        after.connected(peer) && sessions.containsKey(peer), after.status(), after.products()));
  }

  private static State applyAll(State state, List<Event> events) {
    State result = state;
    for (Event event : events) result = result.apply(event);
    return result;
  }

  private Effect<Event, State> onLeave(State state, Leave leave) {
    if (!leave.session().equals(sessions.get(leave.role()))) return Effect().none();
    sessions.remove(leave.role());
    if (state.status() == Status.ENDED || !state.connected(leave.role())) return Effect().none();
    context.getLog().info("The {} left room {}", leave.role(), roomId);
    return Effect().persist(new ParticipantLeft(leave.role(), now())).thenRun(after -> {
      send(other(leave.role()), new RoomEvent.PeerLeft(leave.role(), timings.reconnectGrace().toSeconds()));
      if (after.status() == Status.IN_CALL) {
        timers.startSingleTimer(GraceEnded.class.getName() + leave.role(), new GraceEnded(leave.role()),
            timings.reconnectGrace());
      }
    });
  }

  private Effect<Event, State> onRelay(State state, Relay relay) {
    if (!inRoom(state, relay.role(), relay.session())) return refuse(relay.session(), "not_in_room", "Join the room first");
    if (state.status() == Status.ENDED) return refuse(relay.session(), "call_ended", "The call is over");
    ActorRef<Outgoing> peer = sessions.get(other(relay.role()));
    if (peer == null) return refuse(relay.session(), "peer_not_connected", "The other participant is not here yet");
    peer.tell(frame(new RoomEvent.Relayed(relay.kind(), relay.sdp(), relay.candidate(), relay.sdpMid(),
        relay.sdpMLineIndex()), false));
    return Effect().none();
  }

  private Effect<Event, State> onShowProduct(State state, ShowProduct command) {
    if (!inRoom(state, command.role(), command.session())) return Effect().none();
    if (!RoomPass.AGENT.equals(command.role())) {
      return refuse(command.session(), "not_allowed_for_role", "Only the agent shows products");
    }
    if (state.status() == Status.ENDED) return refuse(command.session(), "call_ended", "The call is over");
    Product product = command.product();
    return Effect().persist(new ProductShown(product, now())).thenRun(after -> {
      RoomEvent.Product shown = new RoomEvent.Product(product.sku(), product.title(), product.imageUrl(),
          product.price(), product.productUrl());
      send(RoomPass.SHOPPER, shown);
      send(RoomPass.AGENT, shown);
    });
  }

  private Effect<Event, State> onAddToCart(State state, AddToCart command) {
    if (!inRoom(state, command.role(), command.session())) return Effect().none();
    if (!RoomPass.SHOPPER.equals(command.role())) {
      return refuse(command.session(), "not_allowed_for_role", "Only the shopper adds to the cart");
    }
    if (state.status() == Status.ENDED) return refuse(command.session(), "call_ended", "The call is over");
    if (!state.shown(command.sku())) return refuse(command.session(), "unknown_product", "That product was not shown");
    if (state.addedToCart().size() >= MAX_ADDED_TO_CART) {
      return refuse(command.session(), "limit_reached", "At most " + MAX_ADDED_TO_CART + " additions to the cart per call");
    }
    return Effect().persist(new AddedToCart(command.sku(), now())).thenRun(after -> {
      send(RoomPass.AGENT, new RoomEvent.AddedToCart(command.sku()));
      command.session().tell(frame(new RoomEvent.Done("add-to-cart"), false));
    });
  }

  private Effect<Event, State> onHangUp(State state, HangUp command) {
    if (!inRoom(state, command.role(), command.session())) return Effect().none();
    if (state.status() == Status.ENDED) return refuse(command.session(), "call_ended", "The call is over");
    context.getLog().info("The {} hangs up room {}", command.role(), roomId);
    return end(state, "hung-up", command.role());
  }

  private Effect<Event, State> onFeedback(State state, GiveFeedback command) {
    if (!inRoom(state, command.role(), command.session())) return Effect().none();
    if (!RoomPass.SHOPPER.equals(command.role())) {
      return refuse(command.session(), "not_allowed_for_role", "Only the shopper rates the call");
    }
    if (state.status() != Status.ENDED) return refuse(command.session(), "call_not_ended", "Rate the call after it ends");
    if (state.feedback() != null) return refuse(command.session(), "already_given", "The call was rated already");
    if (!validRating(command.rating())) return invalid(command.session(), "rating", RATING_RULE);
    return Effect().persist(new FeedbackGiven(command.rating(), command.comment(), now()))
        .thenRun(after -> command.session().tell(frame(new RoomEvent.Done("feedback"), false)));
  }

  private Effect<Event, State> onWrapUp(State state, WrapUp command) {
    if (!inRoom(state, command.role(), command.session())) return Effect().none();
    if (!RoomPass.AGENT.equals(command.role())) {
      return refuse(command.session(), "not_allowed_for_role", "Only the agent wraps up");
    }
    if (state.status() != Status.ENDED) return refuse(command.session(), "call_not_ended", "Wrap up after the call");
    if (state.wrapUp() != null) return refuse(command.session(), "already_given", "The call was wrapped up already");
    if (!validOutcome(command.outcome())) return invalid(command.session(), "outcome", OUTCOME_RULE);
    return Effect().persist(new WrappedUp(command.outcome(), command.note(), now()))
        .thenRun(after -> command.session().tell(frame(new RoomEvent.Done("wrap-up"), false)));
  }

  private Effect<Event, State> onMinuteDue(State state, MinuteDue due) {
    if (state.status() != Status.IN_CALL) return Effect().none();
    List<Event> minutes = minutesDue(state, now());
    return Effect().persist(minutes).thenRun(after -> {
      minutes.forEach(minute -> broadcast(new RoomEvent.Minute(((MinuteStarted) minute).index())));
      armCallTimers(after);
    });
  }

  /** One event per minute started since the last one recorded (several after a restart). */
  private List<Event> minutesDue(State state, Instant now) {
    List<Event> minutes = new ArrayList<>();
    for (long index = state.minutesStarted(); index < state.minutesDueBy(now); index++) {
      minutes.add(new MinuteStarted(state.room().tenantId(), index, now));
    }
    return minutes;
  }

  private void armCallTimers(State state) {
    Instant now = now();
    if (state.minutesStarted() < state.room().maxCallMinutes()) {
      Instant nextMinute = state.startedAt().plus(MINUTE.multipliedBy(state.minutesStarted()));
      timers.startSingleTimer(MinuteDue.class, new MinuteDue(), positive(Duration.between(now, nextMinute)));
    }
    Instant maxEnd = state.startedAt().plus(Duration.ofMinutes(state.room().maxCallMinutes()));
    timers.startSingleTimer(MaxLengthReached.class, new MaxLengthReached(), positive(Duration.between(now, maxEnd)));
  }

  private Effect<Event, State> end(State state, String reason, String endedBy) {
    Instant at = now();
    if (state.status() == Status.IN_CALL && sessions.isEmpty()) {
      // Nobody is here (both left, or the room was recovered and nobody came back): the call
      // is billed up to the last sign of life plus the grace, never up to whenever it is touched.
      Instant lostAt = state.lastKnownAliveAt().plus(timings.reconnectGrace());
      if (lostAt.isBefore(at)) at = lostAt;
    }
    List<Event> events = new ArrayList<>();
    if (state.status() == Status.IN_CALL) events.addAll(minutesDue(state, at));
    long duration = state.startedAt() == null ? 0 : Duration.between(state.startedAt(), at).toSeconds();
    events.add(new CallEnded(reason, endedBy, duration, at));
    return Effect().persist(events).thenRun(Traced.carrying(after -> {
      timers.cancel(MinuteDue.class);
      timers.cancel(MaxLengthReached.class);
      timers.cancel(NoShow.class);
      timers.cancel(BalanceGraceOver.class);
      watchBalance(after, false);
      broadcast(new RoomEvent.CallEnded(reason, endedBy, duration));
      if (after.startedAt() == null) {
        // No call happened (no-show): there is nothing to wrap up, the agent is free at once.
        tellQueueTheCallIsOver(after);
      } else {
        timers.startSingleTimer(WrapUpOver.class, new WrapUpOver(),
            positive(Duration.ofSeconds(after.room().wrapUpSeconds())));
      }
      timers.startSingleTimer(Idle.class, new Idle(), RETIRE_AFTER);
    }));
  }

  private void tellQueueTheCallIsOver(State state) {
    if (state.room() == null) return;
    neighbours.tellQueue(state.room().tenantId(), new TenantQueue.AgentFinishedCall(state.room().agentId(), roomId,
        context.getSystem().ignoreRef()));
  }

  /** While the call runs the room follows the tenant's balance (the wallet's subscription). */
  private void watchBalance(State state, boolean watch) {
    if (walletUpdates == null) walletUpdates = context.messageAdapter(WalletUpdate.class, WalletChanged::new);
    neighbours.tellWallet(state.room().tenantId(),
        watch ? new Wallet.Subscribe(walletUpdates) : new Wallet.Unsubscribe(walletUpdates));
  }

  /**
   * A wallet not opened yet is not an empty one: a new tenant's wallet opens on its trial with the
   * first minute billed (CallMinuteBilling), and its real level follows as the next update. Read
   * as exhausted it told a trial's very first call that it ends in a minute.
   */
  static BalanceLevel levelForCall(Admission admission) {
    return admission.refusal() == Admission.Refusal.WALLET_NOT_OPEN ? BalanceLevel.OK : admission.level();
  }

  /**
   * Low: both hear it. Exhausted: both hear the call ends after the balance grace, unless the
   * balance comes back meanwhile. Minutes meanwhile are still debited: a minute that happened is.
   */
  private Effect<Event, State> onBalance(State state, BalanceLevel level) {
    if (state.status() != Status.IN_CALL || level == balanceLevel) {
      balanceLevel = level;
      return Effect().none();
    }
    balanceLevel = level;
    if (level == BalanceLevel.EXHAUSTED) {
      timers.startSingleTimer(BalanceGraceOver.class, new BalanceGraceOver(), timings.balanceGrace());
      broadcast(new RoomEvent.LowBalance(true, timings.balanceGrace().toSeconds()));
    } else {
      timers.cancel(BalanceGraceOver.class);
      if (level == BalanceLevel.LOW) broadcast(new RoomEvent.LowBalance(false, 0));
    }
    return Effect().none();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  // ---------------------------------------------------------------------------------------------

  private static boolean matches(RoomOpened room, RoomPass pass) {
    return room.tenantId().equals(pass.tenantId()) && room.ticketId().equals(pass.ticketId())
        && room.agentId().equals(pass.agentId());
  }

  private boolean inRoom(State state, String role, ActorRef<Outgoing> session) {
    if (state.status() == Status.EMPTY || !session.equals(sessions.get(role))) {
      session.tell(frame(ErrorMessage.of("not_in_room", "Join the room first"), false));
      return false;
    }
    return true;
  }

  private Effect<Event, State> invalid(ActorRef<Outgoing> session, String field, String message) {
    session.tell(frame(new ErrorMessage("invalid_field", message, field), false));
    return Effect().none();
  }

  private Effect<Event, State> refuse(ActorRef<Outgoing> session, String code, String message) {
    session.tell(frame(ErrorMessage.of(code, message), false));
    return Effect().none();
  }

  private void send(String role, RoomEvent event) {
    ActorRef<Outgoing> session = sessions.get(role);
    if (session != null) session.tell(frame(event, false));
  }

  private void broadcast(RoomEvent event) {
    Outgoing outgoing = frame(event, false);
    sessions.values().forEach(session -> session.tell(outgoing));
  }

  static Outgoing frame(RoomEvent event, boolean close) {
    return new Outgoing(ProtocolCodec.encode(RoomEvent.class, event), close);
  }

  static String other(String role) {
    return RoomPass.AGENT.equals(role) ? RoomPass.SHOPPER : RoomPass.AGENT;
  }

  private Instant now() {
    return clock.instant();
  }

  private static Duration positive(Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }

  private static String truncate(String value, int max) {
    return value == null || value.length() <= max ? value : value.substring(0, max);
  }
}
