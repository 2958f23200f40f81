package io.videoshop.queue;

import io.videoshop.node.EntityTestKits;
import static io.videoshop.queue.TestTickets.details;
import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.queue.TenantQueue.AcceptReservation;
import io.videoshop.queue.TenantQueue.AgentDisconnected;
import io.videoshop.queue.TenantQueue.AgentFinishedCall;
import io.videoshop.queue.TenantQueue.AgentPresence;
import io.videoshop.queue.TenantQueue.AgentPresenceChanged;
import io.videoshop.queue.TenantQueue.Assigned;
import io.videoshop.queue.TenantQueue.Command;
import io.videoshop.queue.TenantQueue.Confirmation;
import io.videoshop.queue.TenantQueue.Confirmed;
import io.videoshop.queue.TenantQueue.Event;
import io.videoshop.queue.TenantQueue.Join;
import io.videoshop.queue.TenantQueue.JoinReply;
import io.videoshop.queue.TenantQueue.Leave;
import io.videoshop.queue.TenantQueue.Queued;
import io.videoshop.queue.TenantQueue.Refused;
import io.videoshop.queue.TenantQueue.RejectReservation;
import io.videoshop.queue.TenantQueue.ReleaseReason;
import io.videoshop.queue.TenantQueue.ReservationAccepted;
import io.videoshop.queue.TenantQueue.ReservationOffered;
import io.videoshop.queue.TenantQueue.ReservationReleased;
import io.videoshop.queue.TenantQueue.Resume;
import io.videoshop.queue.TenantQueue.ResumeReply;
import io.videoshop.queue.TenantQueue.Resumed;
import io.videoshop.queue.TenantQueue.ShopperDisconnected;
import io.videoshop.queue.TenantQueue.State;
import io.videoshop.queue.TenantQueue.Subscribe;
import io.videoshop.queue.TenantQueue.TicketAbandoned;
import io.videoshop.queue.TenantQueue.TicketJoined;
import io.videoshop.queue.TenantQueue.Unsubscribe;
import io.videoshop.queue.TenantQueue.UpdateOpening;
import io.videoshop.queue.TenantQueue.UpdateSettings;
import io.videoshop.queue.TenantQueue.UpdateSuspension;
import io.videoshop.node.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue entity on its own, in an in-memory journal. The test kit serializes every command,
 * event and state (and checks they come back equal); time only moves when a test says so.
 */
class TenantQueueTest {
  private static final Instant START = Instant.parse("2025-01-06T10:00:00Z");
  private static final Duration RESERVATION_TIMEOUT = QueueSettings.DEFAULT.reservationTimeout();

  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  private MovableClock clock;
  private EventSourcedBehaviorTestKit<Command, Event, State> queue;

  @BeforeEach
  void newQueue() {
    clock = new MovableClock(START);
    queue = EventSourcedBehaviorTestKit.create(testKit.system(),
        TenantQueue.create("tenant-" + UUID.randomUUID(), clock),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // Helpers in the product's words

  private Queued join(String shopper) {
    return join(details(shopper));
  }

  private Queued join(TicketDetails details) {
    JoinReply reply = queue.<JoinReply>runCommand(replyTo -> new Join(details, null, replyTo)).reply();
    assertThat(reply).isInstanceOf(Queued.class);
    clock.advance(Duration.ofSeconds(1));
    return (Queued) reply;
  }

  private CommandResult<Command, Event, State> presence(String agentId, Presence presence, String... languages) {
    return presence(agentId, presence, Set.of(languages), Set.of());
  }

  private CommandResult<Command, Event, State> presence(
      String agentId, Presence presence, Set<String> languages, Set<String> skills) {
    var result = queue.<Confirmation>runCommand(
        replyTo -> new AgentPresence(agentId, presence, languages, skills, replyTo));
    assertThat(result.reply()).isEqualTo(Confirmed.INSTANCE);
    // Agents announce one second apart so idle times differ.
    clock.advance(Duration.ofSeconds(1));
    return result;
  }

  private Confirmation settings(QueueSettings settings) {
    return queue.<Confirmation>runCommand(replyTo -> new UpdateSettings(settings, replyTo)).reply();
  }

  private Reservation reservationOf(String ticketId) {
    return queue.getState().reservationForTicket(ticketId).orElseThrow();
  }

  private static QueueSettings with(QueueSettings.RoutingStrategy routing, int maxLength) {
    QueueSettings d = QueueSettings.DEFAULT;
    return new QueueSettings(maxLength, d.reservationTimeout(), routing, d.reconnectGrace(), d.agentReconnectGrace());
  }

  /** The one event of a type among those a command persisted. */
  private static <E extends Event> E persisted(CommandResult<Command, Event, State> result, Class<E> type) {
    List<E> found = result.events().stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as("events of type %s", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static List<String> ticketIds(State state) {
    return state.tickets().stream().map(Ticket::ticketId).toList();
  }

  // Joining and leaving

  @Test
  void shoppersQueueInJoinOrderWithPositionsAndResumeTokens() {
    Queued first = join("s1");
    Queued second = join("s2");
    var third = queue.<JoinReply>runCommand(replyTo -> new Join(details("s3"), null, replyTo));

    assertThat(first.position()).isEqualTo(1);
    assertThat(second.position()).isEqualTo(2);
    Queued queued = (Queued) third.reply();
    assertThat(queued.position()).isEqualTo(3);
    assertThat(queued.estimatedWait()).as("no agent on duty yet").isNull();
    assertThat(ticketIds(queue.getState())).containsExactly(first.ticketId(), second.ticketId(), queued.ticketId());

    Ticket stored = persisted(third, TicketJoined.class).ticket();
    assertThat(stored.resumeTokenHash())
        .isEqualTo(Ticket.hashOf(queued.resumeToken()))
        .isNotEqualTo(queued.resumeToken());
    assertThat(first.resumeToken()).isNotEqualTo(second.resumeToken()).hasSizeGreaterThanOrEqualTo(43);
  }

  @Test
  void aCorrectionIsPersistedForAWaitingTicketAndForOneThatLeftAndSurvivesARestart() {
    Queued waiting = join("s1");
    TicketDetails corrected = new TicketDetails("s1",
        new io.videoshop.persistence.privacy.EncryptedPersonalData("s1", "corrected-name"), null, null, null, null,
        Set.of(), null, null, true);
    var result = queue.<TenantQueue.CorrectionReply>runCommand(
        replyTo -> new TenantQueue.CorrectTicketDetails(waiting.ticketId(), corrected, replyTo));
    assertThat(result.reply()).isInstanceOf(TenantQueue.TicketCorrected.class);
    assertThat(persisted(result, TenantQueue.TicketDetailsCorrected.class).details().productInterest())
        .as("the waiting ticket's own").isEqualTo("running shoes");

    var ended = queue.<TenantQueue.CorrectionReply>runCommand(
        replyTo -> new TenantQueue.CorrectTicketDetails("left-long-ago", corrected, replyTo));
    assertThat(persisted(ended, TenantQueue.TicketDetailsCorrected.class).details()).isEqualTo(corrected);
    var refused = queue.<TenantQueue.CorrectionReply>runCommand(
        replyTo -> new TenantQueue.CorrectTicketDetails(waiting.ticketId(), details("s2"), replyTo));
    assertThat(refused.reply()).isEqualTo(new Refused(Refusal.INVALID_TICKET, null));
    assertThat(refused.events()).isEmpty();

    queue.restart();
    assertThat(queue.getState().ticket(waiting.ticketId()).orElseThrow().details().name().ciphertext())
        .isEqualTo("corrected-name");
  }

  @Test
  void fullQueueRefusesJoinWithQueueFull() {
    assertThat(settings(with(QueueSettings.RoutingStrategy.LONGEST_IDLE, 2))).isEqualTo(Confirmed.INSTANCE);
    join("s1");
    join("s2");
    var refused = queue.<JoinReply>runCommand(replyTo -> new Join(details("s3"), null, replyTo));
    assertThat(refused.reply()).isEqualTo(new Refused(Refusal.QUEUE_FULL, null));
    assertThat(refused.events()).isEmpty();
    assertThat(Refusal.QUEUE_FULL.code()).isEqualTo("queue_full");
  }

  @Test
  void suspendedTenantRefusesJoins() {
    queue.<Confirmation>runCommand(replyTo -> new UpdateSuspension(true, replyTo));
    var refused = queue.<JoinReply>runCommand(replyTo -> new Join(details("s1"), null, replyTo));
    assertThat(refused.reply()).isEqualTo(new Refused(Refusal.TENANT_SUSPENDED, null));

    queue.<Confirmation>runCommand(replyTo -> new UpdateSuspension(false, replyTo));
    join("s1");
  }

  @Test
  void closedQueueRefusesJoinsWithTheNextOpening() {
    Instant opensAt = START.plus(Duration.ofHours(14));
    queue.<Confirmation>runCommand(replyTo -> new UpdateOpening(false, opensAt, replyTo));
    var refused = queue.<JoinReply>runCommand(replyTo -> new Join(details("s1"), null, replyTo));
    assertThat(refused.reply()).isEqualTo(new Refused(Refusal.QUEUE_CLOSED, opensAt));

    queue.<Confirmation>runCommand(replyTo -> new UpdateOpening(true, null, replyTo));
    join("s1");
  }

  @Test
  void invalidSettingsAndBusyPresenceAreRefused() {
    QueueSettings zeroLength = with(QueueSettings.RoutingStrategy.LONGEST_IDLE, 0);
    assertThat(settings(zeroLength)).isEqualTo(new Refused(Refusal.INVALID_SETTINGS, null));
    var busy = queue.<Confirmation>runCommand(replyTo -> new AgentPresence("a", Presence.BUSY, null, null, replyTo));
    assertThat(busy.reply()).isEqualTo(new Refused(Refusal.INVALID_PRESENCE, null));
    assertThat(busy.events()).isEmpty();
  }

  @Test
  void leavingRemovesTheTicketAndReleasesItsOffer() {
    presence("a", Presence.AVAILABLE);
    Queued first = join("s1");
    Queued second = join("s2");
    String offered = reservationOf(first.ticketId()).reservationId();

    var left = queue.<Confirmation>runCommand(replyTo -> new Leave(first.ticketId(), replyTo));

    assertThat(left.reply()).isEqualTo(Confirmed.INSTANCE);
    assertThat(left.events()).hasSize(3);
    assertThat(left.events().get(0)).isEqualTo(new ReservationReleased(offered, first.ticketId(), "a",
        ReleaseReason.TICKET_LEFT, clock.instant()));
    assertThat(ticketIds(left.state())).containsExactly(second.ticketId());
    assertThat(left.state().reservationForTicket(second.ticketId())).map(Reservation::agentId).contains("a");

    var unknown = queue.<Confirmation>runCommand(replyTo -> new Leave(first.ticketId(), replyTo));
    assertThat(unknown.reply()).isEqualTo(new Refused(Refusal.UNKNOWN_TICKET, null));
  }

  // Routing

  /** a announces first, goes away and comes back: b is now idle the longest, a is first on the roster. */
  private void agentsWhereBIsIdleLongestButAComesFirst() {
    presence("a", Presence.AVAILABLE);
    presence("b", Presence.AVAILABLE);
    presence("a", Presence.AWAY);
    presence("a", Presence.AVAILABLE);
  }

  @Test
  void longestIdleAgentGetsTheHeadTicket() {
    agentsWhereBIsIdleLongestButAComesFirst();

    Queued first = join("s1");
    Queued second = join("s2");

    assertThat(reservationOf(first.ticketId()).agentId()).isEqualTo("b");
    assertThat(reservationOf(second.ticketId()).agentId()).isEqualTo("a");
  }

  @Test
  void roundRobinGivesTicketsInRosterOrder() {
    settings(with(QueueSettings.RoutingStrategy.ROUND_ROBIN, 100));
    agentsWhereBIsIdleLongestButAComesFirst();

    Queued first = join("s1");
    Queued second = join("s2");

    assertThat(reservationOf(first.ticketId()).agentId()).isEqualTo("a");
    assertThat(reservationOf(second.ticketId()).agentId()).isEqualTo("b");
  }

  @Test
  void ticketsGoOnlyToAgentsWithTheirLanguageAndSkills() {
    presence("english", Presence.AVAILABLE, Set.of("en"), Set.of("shoes"));
    presence("german", Presence.AVAILABLE, Set.of("de"), Set.of());
    Queued germanShoes = join(details("s1", "de", "shoes"));
    Queued german = join(details("s2", "de"));

    assertThat(queue.getState().reservationForTicket(germanShoes.ticketId())).isEmpty();
    assertThat(reservationOf(german.ticketId()).agentId()).isEqualTo("german");

    var skilled = presence("german-shoes", Presence.AVAILABLE, Set.of("de", "fr"), Set.of("shoes", "bags"));
    assertThat(persisted(skilled, ReservationOffered.class).reservation().ticketId()).isEqualTo(germanShoes.ticketId());
  }

  // Reservations

  @Test
  void acceptingMakesARoomAndTheAgentBusy() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    Reservation reservation = reservationOf(shopper.ticketId());
    TestProbe<QueueUpdate> socket = testKit.createTestProbe(QueueUpdate.class);
    queue.runCommand(new Subscribe(socket.ref()));
    socket.receiveMessage();

    var accepted = queue.<TenantQueue.AcceptReply>runCommand(
        replyTo -> new AcceptReservation(reservation.reservationId(), "a", replyTo));

    Assigned assigned = (Assigned) accepted.reply();
    assertThat(UUID.fromString(assigned.roomId())).isNotNull();
    assertThat(assigned.ticketId()).isEqualTo(shopper.ticketId());
    assertThat(accepted.state().tickets()).isEmpty();
    Agent agent = accepted.state().agent("a").orElseThrow();
    assertThat(agent.presence()).isEqualTo(Presence.BUSY);
    assertThat(agent.roomId()).isEqualTo(assigned.roomId());
    // The shopper's socket learns the same room from the update.
    QueueUpdate.Changes update = (QueueUpdate.Changes) socket.receiveMessage();
    assertThat(update.events()).containsExactly(new ReservationAccepted(reservation.reservationId(),
        shopper.ticketId(), "a", assigned.roomId(), clock.instant()));
  }

  @Test
  void onlyTheOfferedAgentCanAnswerAnOffer() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    String reservationId = reservationOf(shopper.ticketId()).reservationId();
    var stranger = queue.<TenantQueue.AcceptReply>runCommand(
        replyTo -> new AcceptReservation(reservationId, "b", replyTo));
    assertThat(stranger.reply()).isEqualTo(new Refused(Refusal.NOT_YOUR_RESERVATION, null));
    var unknown = queue.<TenantQueue.AcceptReply>runCommand(replyTo -> new AcceptReservation("nope", "a", replyTo));
    assertThat(unknown.reply()).isEqualTo(new Refused(Refusal.UNKNOWN_RESERVATION, null));
  }

  @Test
  void rejectedTicketIsOfferedToTheNextAgentAndTheRejectingAgentTurnsAway() {
    presence("a", Presence.AVAILABLE);
    presence("b", Presence.AVAILABLE);
    Queued shopper = join("s1");
    Reservation first = reservationOf(shopper.ticketId());
    assertThat(first.agentId()).isEqualTo("a");

    var rejected = queue.<Confirmation>runCommand(
        replyTo -> new RejectReservation(first.reservationId(), "a", replyTo));

    assertThat(rejected.reply()).isEqualTo(Confirmed.INSTANCE);
    assertThat(rejected.events()).hasSize(3);
    assertThat(rejected.events().get(0)).isInstanceOfSatisfying(ReservationReleased.class,
        released -> assertThat(released.reason()).isEqualTo(ReleaseReason.REJECTED));
    assertThat(rejected.events().get(1)).isInstanceOfSatisfying(AgentPresenceChanged.class,
        away -> assertThat(away.presence()).isEqualTo(Presence.AWAY));
    assertThat(persisted(rejected, ReservationOffered.class).reservation().agentId()).isEqualTo("b");
    assertThat(rejected.state().agent("a").orElseThrow().presence()).isEqualTo(Presence.AWAY);
  }

  @Test
  void rejectedTicketGoesBackToTheHeadAheadOfLaterJoiners() {
    presence("a", Presence.AVAILABLE);
    Queued first = join("s1");
    Queued later = join("s2");
    queue.<Confirmation>runCommand(
        replyTo -> new RejectReservation(reservationOf(first.ticketId()).reservationId(), "a", replyTo));

    State state = queue.getState();
    assertThat(ticketIds(state)).containsExactly(first.ticketId(), later.ticketId());
    assertThat(state.reservations()).as("the only agent turned away").isEmpty();

    presence("b", Presence.AVAILABLE);
    assertThat(reservationOf(first.ticketId()).agentId()).isEqualTo("b");
  }

  @Test
  void expiredReservationReturnsTicketToHeadAndOffersTheNextAgent() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    Queued later = join(details("s2", "fr"));
    // b cannot take the French ticket, so b is free when a's offer lapses.
    presence("b", Presence.AVAILABLE, "en");
    assertThat(reservationOf(shopper.ticketId()).agentId()).isEqualTo("a");

    manualTime.timePasses(RESERVATION_TIMEOUT.minusSeconds(1));
    assertThat(reservationOf(shopper.ticketId()).agentId()).as("not yet expired").isEqualTo("a");

    manualTime.timePasses(Duration.ofSeconds(1));
    State state = queue.getState();
    assertThat(state.agent("a").orElseThrow().presence()).isEqualTo(Presence.AWAY);
    assertThat(ticketIds(state)).containsExactly(shopper.ticketId(), later.ticketId());
    assertThat(state.reservationForTicket(shopper.ticketId())).map(Reservation::agentId).contains("b");
  }

  @Test
  void finishingACallMakesTheAgentAvailableAndRecordsTheHandleTime() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    String reservationId = reservationOf(shopper.ticketId()).reservationId();
    queue.<TenantQueue.AcceptReply>runCommand(replyTo -> new AcceptReservation(reservationId, "a", replyTo));
    Queued next = join("s2");
    assertThat(queue.getState().reservationForTicket(next.ticketId())).as("a is busy").isEmpty();

    clock.advance(Duration.ofMinutes(4));
    var finished = queue.<Confirmation>runCommand(replyTo -> new AgentFinishedCall("a", null, replyTo));

    assertThat(finished.reply()).isEqualTo(Confirmed.INSTANCE);
    assertThat(finished.state().recentHandleTimes()).containsExactly(Duration.ofMinutes(4).plusSeconds(1));
    assertThat(finished.state().reservationForTicket(next.ticketId())).map(Reservation::agentId).contains("a");
    var again = queue.<Confirmation>runCommand(replyTo -> new AgentFinishedCall("a", null, replyTo));
    assertThat(again.reply()).isEqualTo(new Refused(Refusal.AGENT_NOT_BUSY, null));
  }

  @Test
  void aBusyAgentSettingAnotherPresenceEndsTheCall() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    String reservationId = reservationOf(shopper.ticketId()).reservationId();
    queue.<TenantQueue.AcceptReply>runCommand(replyTo -> new AcceptReservation(reservationId, "a", replyTo));
    clock.advance(Duration.ofMinutes(2));

    var away = presence("a", Presence.AWAY);

    assertThat(persisted(away, TenantQueue.CallFinished.class).handleTime()).isEqualTo(Duration.ofMinutes(2));
    assertThat(away.state().agent("a").orElseThrow().presence()).isEqualTo(Presence.AWAY);
  }

  // Disconnects

  @Test
  void disconnectedShopperIsAbandonedAfterTheGrace() {
    Queued shopper = join("s1");
    Queued other = join("s2");
    TestProbe<QueueUpdate> socket = testKit.createTestProbe(QueueUpdate.class);
    queue.runCommand(new Subscribe(socket.ref()));
    socket.receiveMessage();

    queue.runCommand(new ShopperDisconnected(shopper.ticketId()));
    assertThat(((QueueUpdate.Changes) socket.receiveMessage()).events()).singleElement()
        .isInstanceOf(TenantQueue.TicketDisconnected.class);

    manualTime.timePasses(QueueSettings.DEFAULT.reconnectGrace().minusSeconds(1));
    assertThat(ticketIds(queue.getState())).containsExactly(shopper.ticketId(), other.ticketId());

    manualTime.timePasses(Duration.ofSeconds(1));
    QueueUpdate.Changes abandoned = (QueueUpdate.Changes) socket.receiveMessage();
    assertThat(abandoned.events()).containsExactly(new TicketAbandoned(
        shopper.ticketId(), TenantQueue.AbandonReason.RECONNECT_GRACE_EXPIRED, clock.instant()));
    assertThat(ticketIds(queue.getState())).containsExactly(other.ticketId());
  }

  @Test
  void resumingWithinTheGraceKeepsThePlace() {
    Queued shopper = join("s1");
    Queued other = join("s2");
    queue.runCommand(new ShopperDisconnected(shopper.ticketId()));
    manualTime.timePasses(Duration.ofSeconds(30));

    var wrong = queue.<ResumeReply>runCommand(replyTo -> new Resume(shopper.ticketId(), "guessed", replyTo));
    assertThat(wrong.reply()).isEqualTo(new Refused(Refusal.INVALID_RESUME_TOKEN, null));
    assertThat(wrong.events()).isEmpty();
    var unknown = queue.<ResumeReply>runCommand(
        replyTo -> new Resume("no-such-ticket", shopper.resumeToken(), replyTo));
    assertThat(unknown.reply()).isEqualTo(new Refused(Refusal.UNKNOWN_TICKET, null));

    var resumed = queue.<ResumeReply>runCommand(
        replyTo -> new Resume(shopper.ticketId(), shopper.resumeToken(), replyTo));
    assertThat(resumed.reply()).isEqualTo(new Resumed(shopper.ticketId(), 1, null));

    manualTime.timePasses(QueueSettings.DEFAULT.reconnectGrace());
    assertThat(ticketIds(queue.getState())).containsExactly(shopper.ticketId(), other.ticketId());
    assertThat(queue.getState().ticket(shopper.ticketId()).orElseThrow().connected()).isTrue();
  }

  @Test
  void disconnectedShopperIsNotOfferedUntilResumed() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    var disconnected = queue.runCommand(new ShopperDisconnected(shopper.ticketId()));
    assertThat(persisted(disconnected, ReservationReleased.class).reason())
        .isEqualTo(ReleaseReason.SHOPPER_DISCONNECTED);
    assertThat(disconnected.state().reservations()).isEmpty();
    assertThat(disconnected.state().agent("a").orElseThrow().presence()).isEqualTo(Presence.AVAILABLE);

    queue.<ResumeReply>runCommand(replyTo -> new Resume(shopper.ticketId(), shopper.resumeToken(), replyTo));
    assertThat(reservationOf(shopper.ticketId()).agentId()).isEqualTo("a");
  }

  @Test
  void disconnectedAgentGoesOfflineAfterTheGraceAndReleasesTheOffer() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    reservationOf(shopper.ticketId());

    queue.runCommand(new AgentDisconnected("a"));
    manualTime.timePasses(QueueSettings.DEFAULT.agentReconnectGrace().minusSeconds(1));
    assertThat(queue.getState().agent("a").orElseThrow().presence()).isEqualTo(Presence.AVAILABLE);

    manualTime.timePasses(Duration.ofSeconds(1));
    State state = queue.getState();
    assertThat(state.agent("a").orElseThrow().presence()).isEqualTo(Presence.OFFLINE);
    assertThat(state.reservations()).isEmpty();
    assertThat(ticketIds(state)).containsExactly(shopper.ticketId());
  }

  @Test
  void agentWhoseOfferExpiresWhileDisconnectedStillGoesOffline() {
    QueueSettings d = QueueSettings.DEFAULT;
    Duration agentGrace = RESERVATION_TIMEOUT.plusSeconds(10);
    settings(new QueueSettings(d.maxLength(), RESERVATION_TIMEOUT, d.routing(), d.reconnectGrace(), agentGrace));
    presence("a", Presence.AVAILABLE);
    join("s1");
    queue.runCommand(new AgentDisconnected("a"));

    manualTime.timePasses(RESERVATION_TIMEOUT);
    Agent away = queue.getState().agent("a").orElseThrow();
    assertThat(away.presence()).isEqualTo(Presence.AWAY);
    assertThat(away.connected()).isFalse();

    manualTime.timePasses(agentGrace.minus(RESERVATION_TIMEOUT));
    assertThat(queue.getState().agent("a").orElseThrow().presence()).isEqualTo(Presence.OFFLINE);
  }

  @Test
  void agentReconnectingWithinTheGraceStaysAvailable() {
    presence("a", Presence.AVAILABLE);
    queue.runCommand(new AgentDisconnected("a"));
    manualTime.timePasses(Duration.ofSeconds(5));
    presence("a", Presence.AVAILABLE);
    manualTime.timePasses(QueueSettings.DEFAULT.agentReconnectGrace());
    Agent agent = queue.getState().agent("a").orElseThrow();
    assertThat(agent.presence()).isEqualTo(Presence.AVAILABLE);
    assertThat(agent.connected()).isTrue();
    assertThat(agent.since()).as("idle time kept").isEqualTo(START);
  }

  // Live state

  // Live state (the feed protocol: a snapshot, then numbered changes; adapted from whole views)

  @Test
  void subscribersGetASnapshotThenEveryChangeNumberedUntilTheyUnsubscribe() {
    presence("a", Presence.AWAY, "en");
    TestProbe<QueueUpdate> socket = testKit.createTestProbe(QueueUpdate.class);
    queue.runCommand(new Subscribe(socket.ref()));
    QueueUpdate.Snapshot initial = (QueueUpdate.Snapshot) socket.receiveMessage();
    assertThat(initial.state().agents()).extracting(Agent::presence).containsExactly(Presence.AWAY);

    Queued first = join("s1");
    Queued second = join("s2");
    QueueUpdate.Changes firstJoin = (QueueUpdate.Changes) socket.receiveMessage();
    QueueUpdate.Changes update = (QueueUpdate.Changes) socket.receiveMessage();
    assertThat(firstJoin.seq()).isEqualTo(initial.seq() + 1);
    assertThat(update.seq()).isEqualTo(initial.seq() + 2);
    assertThat(update.events()).singleElement().isInstanceOf(TicketJoined.class);
    Ticket joined = ((TicketJoined) update.events().get(0)).ticket();
    assertThat(joined.ticketId()).isEqualTo(second.ticketId());
    assertThat(joined.details().name()).as("no personal data to a subscriber that shows no names").isNull();
    assertThat(joined.details().email()).isNull();
    assertThat(joined.resumeTokenHash()).as("no resume-token hash leaves the queue").isEmpty();
    assertThat(joined.details().subjectId()).isEqualTo(queue.getState().tickets().get(1).details().subjectId());

    presence("a", Presence.AVAILABLE);
    QueueUpdate.Changes routed = (QueueUpdate.Changes) socket.receiveMessage();
    TenantQueue.State replica = initial.state().applyAll(firstJoin.events()).applyAll(update.events())
        .applyAll(routed.events());
    assertThat(replica.reservations()).extracting(Reservation::ticketId).containsExactly(first.ticketId());
    assertThat(replica.estimatedWaitOf(second.ticketId()))
        .contains(new WaitEstimate.Range(Duration.ofMinutes(5), Duration.ofMinutes(6)));
    assertThat(replica.tickets()).extracting(Ticket::ticketId)
        .isEqualTo(ticketIds(queue.getState()));

    queue.runCommand(new Unsubscribe(socket.ref()));
    join("s3");
    socket.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void consolesSubscribersGetTheEncryptedNameAndNothingElsePersonal() {
    join("s1");
    TestProbe<QueueUpdate> console = testKit.createTestProbe(QueueUpdate.class);
    queue.runCommand(new Subscribe(console.ref(), true));
    Ticket inSnapshot = ((QueueUpdate.Snapshot) console.receiveMessage()).state().tickets().get(0);
    assertThat(inSnapshot.details().name().ciphertext()).as("stays encrypted").startsWith("ciphertext-of-");
    join("s2");
    Ticket joined = ((TicketJoined) ((QueueUpdate.Changes) console.receiveMessage()).events().get(0)).ticket();
    assertThat(joined.details().name().ciphertext()).startsWith("ciphertext-of-");
    assertThat(List.of(inSnapshot, joined)).allSatisfy(ticket -> {
      assertThat(ticket.details().email()).isNull();
      assertThat(ticket.details().phone()).isNull();
      assertThat(ticket.details().notes()).isNull();
    });
  }

  @Test
  void aTicketThatWaitedTheMaximumWaitIsLetGoButNotWhileUnderOffer() {
    settings(QueueSettings.DEFAULT.withMaxWait(Duration.ofMinutes(10)));
    Queued early = join("s1");
    elapse(Duration.ofMinutes(4));
    Queued later = join("s2");
    TestProbe<QueueUpdate> socket = testKit.createTestProbe(QueueUpdate.class);
    queue.runCommand(new Subscribe(socket.ref()));
    socket.receiveMessage();

    elapse(untilMaxWaitOf(early.ticketId()).minusSeconds(1));
    assertThat(ticketIds(queue.getState())).containsExactly(early.ticketId(), later.ticketId());
    // (join() moves the clock a second ahead of the timers: allow for both joins)
    elapse(Duration.ofSeconds(3));
    QueueUpdate.Changes timedOut = (QueueUpdate.Changes) socket.receiveMessage();
    assertThat(timedOut.events()).containsExactly(new TicketAbandoned(early.ticketId(),
        TenantQueue.AbandonReason.MAX_WAIT_REACHED, clock.instant()));
    assertThat(ticketIds(queue.getState())).containsExactly(later.ticketId());

    // The later one is under offer when its time comes: the agent decides first.
    elapse(untilMaxWaitOf(later.ticketId()).minusSeconds(5));
    presence("a", Presence.AVAILABLE);
    elapse(Duration.ofSeconds(10));
    assertThat(ticketIds(queue.getState())).as("under offer past the maximum wait: kept")
        .containsExactly(later.ticketId());
    // The offer expires: the wait is long over, so the ticket goes at once.
    elapse(RESERVATION_TIMEOUT);
    elapse(Duration.ofMillis(1));
    assertThat(queue.getState().tickets()).isEmpty();
    assertThat(queue.getState().reservations()).isEmpty();
  }

  private Duration untilMaxWaitOf(String ticketId) {
    State state = queue.getState();
    return Duration.between(clock.instant(), state.maxWaitDeadline(state.ticket(ticketId).orElseThrow()));
  }

  /** The queue's clock and its timers' time move together. */
  private void elapse(Duration duration) {
    clock.advance(duration);
    manualTime.timePasses(duration);
  }

  @Test
  void updatesAndRepliesCrossNodesAsJacksonCbor() {
    presence("a", Presence.AVAILABLE, "en");
    Queued queued = join(details("s1", "en", "shoes"));
    TestProbe<QueueUpdate> socket = testKit.createTestProbe(QueueUpdate.class);
    queue.runCommand(new Subscribe(socket.ref(), true));
    QueueUpdate.Snapshot snapshot = (QueueUpdate.Snapshot) socket.receiveMessage();
    QueueUpdate.Changes withChanges = new QueueUpdate.Changes(snapshot.queue(), snapshot.seq() + 1,
        List.of(new TicketJoined(queue.getState().tickets().get(0))));

    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    WaitEstimate.Range underAMinute = new WaitEstimate.Range(Duration.ZERO, Duration.ofMinutes(1));
    for (Object message : List.of(snapshot, withChanges, queued, new Refused(Refusal.QUEUE_CLOSED, START),
        Confirmed.INSTANCE, new Assigned("r", "t", "a", "room", "shopper-s"), new Resumed("t", 3, underAMinute))) {
      Serializer serializer = serialization.findSerializerFor(message);
      assertThat(serializer).isInstanceOf(JacksonCborSerializer.class);
      byte[] bytes = serialization.serialize(message).get();
      String manifest = Serializers.manifestFor(serializer, message);
      assertThat(serialization.deserialize(bytes, serializer.identifier(), manifest).get()).isEqualTo(message);
    }
  }

  // Recovery

  @Test
  void recoveryRestoresTicketsAgentsAndReArmsTimers() {
    presence("away-agent", Presence.AWAY, "de");
    presence("a", Presence.AVAILABLE);
    Queued first = join("s1");
    Queued second = join("s2");
    Queued third = join("s3");
    queue.runCommand(new ShopperDisconnected(third.ticketId()));
    State before = queue.getState();
    assertThat(before.reservationForTicket(first.ticketId())).isPresent();

    State recovered = queue.restart().state();

    assertThat(recovered).isEqualTo(before);
    assertThat(ticketIds(recovered)).containsExactly(first.ticketId(), second.ticketId(), third.ticketId());
    manualTime.timePasses(RESERVATION_TIMEOUT);
    State afterExpiry = queue.getState();
    assertThat(afterExpiry.agent("a").orElseThrow().presence())
        .as("the re-armed offer expired")
        .isEqualTo(Presence.AWAY);
    assertThat(afterExpiry.reservations()).isEmpty();
    manualTime.timePasses(QueueSettings.DEFAULT.reconnectGrace().minus(RESERVATION_TIMEOUT));
    assertThat(ticketIds(queue.getState())).as("the re-armed grace ended")
        .containsExactly(first.ticketId(), second.ticketId());
    var resumed = queue.<ResumeReply>runCommand(
        replyTo -> new Resume(second.ticketId(), second.resumeToken(), replyTo));
    assertThat(resumed.reply()).isEqualTo(new Resumed(second.ticketId(), 2, null));
  }

  @Test
  void aRepeatedJoinGetsTheSameTicketAndNoSecondPlace() {
    TicketDetails details = details("s-repeat");
    String token = TenantQueue.newResumeToken();
    var first = queue.<JoinReply>runCommand(replyTo -> new Join(details, token, replyTo));
    Queued queued = (Queued) first.reply();
    assertThat(queued.resumeToken()).isEqualTo(token);
    var again = queue.<JoinReply>runCommand(replyTo -> new Join(details, token, replyTo));
    assertThat(again.events()).as("nothing new is recorded").isEmpty();
    assertThat(again.reply()).isEqualTo(queued);
    var stolen = queue.<JoinReply>runCommand(replyTo -> new Join(details, TenantQueue.newResumeToken(), replyTo));
    assertThat(stolen.reply()).isEqualTo(Refused.because(Refusal.INVALID_TICKET));
    assertThat(queue.getState().tickets()).hasSize(1);
  }

  @Test
  void aRepeatedAcceptGetsTheSameRoomAndNothingNew() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    String reservationId = reservationOf(shopper.ticketId()).reservationId();
    Assigned first = (Assigned) queue.<TenantQueue.AcceptReply>runCommand(
        replyTo -> new AcceptReservation(reservationId, "a", replyTo)).reply();
    assertThat(first.subjectId()).isEqualTo("s1");
    // The agent's console did not hear the answer in time and asks again.
    var again = queue.<TenantQueue.AcceptReply>runCommand(replyTo -> new AcceptReservation(reservationId, "a", replyTo));
    assertThat(again.events()).isEmpty();
    assertThat(again.reply()).isEqualTo(first);
    var other = queue.<TenantQueue.AcceptReply>runCommand(replyTo -> new AcceptReservation(reservationId, "b", replyTo));
    assertThat(other.reply()).as("another agent learns nothing of it").isEqualTo(Refused.because(Refusal.UNKNOWN_RESERVATION));
  }

  @Test
  void resumingAnAcceptedTicketAnswersWithItsRoomForTheReconnectGrace() {
    presence("a", Presence.AVAILABLE);
    Queued shopper = join("s1");
    String reservationId = reservationOf(shopper.ticketId()).reservationId();
    Assigned assigned = (Assigned) queue.<TenantQueue.AcceptReply>runCommand(
        replyTo -> new AcceptReservation(reservationId, "a", replyTo)).reply();
    // The shopper's socket dropped as the accept happened and comes back.
    var resumed = queue.<ResumeReply>runCommand(replyTo -> new Resume(shopper.ticketId(), shopper.resumeToken(), replyTo));
    assertThat(resumed.reply()).isEqualTo(new TenantQueue.ResumedAssigned(shopper.ticketId(), "a", assigned.roomId(), "s1"));
    var stranger = queue.<ResumeReply>runCommand(
        replyTo -> new Resume(shopper.ticketId(), TenantQueue.newResumeToken(), replyTo));
    assertThat(stranger.reply()).isEqualTo(Refused.because(Refusal.INVALID_RESUME_TOKEN));
    queue.restart();
    clock.advance(QueueSettings.DEFAULT.reconnectGrace().minusSeconds(1));
    assertThat(queue.<ResumeReply>runCommand(replyTo -> new Resume(shopper.ticketId(), shopper.resumeToken(), replyTo))
        .reply()).as("kept across a restart").isInstanceOf(TenantQueue.ResumedAssigned.class);
    clock.advance(Duration.ofSeconds(2));
    assertThat(queue.<ResumeReply>runCommand(replyTo -> new Resume(shopper.ticketId(), shopper.resumeToken(), replyTo))
        .reply()).as("after the grace it is gone").isEqualTo(Refused.because(Refusal.UNKNOWN_TICKET));
  }

  @Test
  void aJoinAgainWithTheSameResumeTokenFromANewSocketGetsTheSamePlace() {
    String token = TenantQueue.newResumeToken();
    Queued first = (Queued) queue.<JoinReply>runCommand(replyTo -> new Join(details("s-first"), token, replyTo)).reply();
    // The first socket closed before it heard `queued`: the ticket was marked disconnected.
    queue.runCommand(new ShopperDisconnected(first.ticketId()));
    // The widget joins again on a new socket with the token it made; that attempt encrypted the
    // details under a new subject.
    var again = queue.<JoinReply>runCommand(replyTo -> new Join(details("s-second"), token, replyTo));
    assertThat(((Queued) again.reply()).ticketId()).isEqualTo(first.ticketId());
    assertThat(again.events()).containsExactly(new TenantQueue.TicketResumed(first.ticketId(), clock.instant()));
    assertThat(queue.getState().tickets()).hasSize(1);
    assertThat(queue.getState().tickets().get(0).connected()).isTrue();
  }
}
