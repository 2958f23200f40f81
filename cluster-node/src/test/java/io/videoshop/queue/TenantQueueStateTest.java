package io.videoshop.queue;

import static io.videoshop.queue.TestTickets.details;
import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.queue.TenantQueue.AgentPresenceChanged;
import io.videoshop.queue.TenantQueue.CallFinished;
import io.videoshop.queue.TenantQueue.Event;
import io.videoshop.queue.TenantQueue.ReleaseReason;
import io.videoshop.queue.TenantQueue.ReservationAccepted;
import io.videoshop.queue.TenantQueue.ReservationOffered;
import io.videoshop.queue.TenantQueue.ReservationReleased;
import io.videoshop.queue.TenantQueue.AdmissionChanged;
import io.videoshop.queue.TenantQueue.SettingsUpdated;
import io.videoshop.queue.TenantQueue.State;
import io.videoshop.queue.TenantQueue.TicketDisconnected;
import io.videoshop.queue.TenantQueue.TicketJoined;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The queue's rules on the state alone: no actors, no time passing but the one given. */
class TenantQueueStateTest {
  private static final Instant T0 = Instant.parse("2025-01-06T10:00:00Z");

  private final AtomicInteger reservationCounter = new AtomicInteger();
  private final Supplier<String> reservationIds = () -> "r" + reservationCounter.incrementAndGet();

  private static TicketJoined joined(String ticketId, int secondsAfterStart, TicketDetails details) {
    return new TicketJoined(new Ticket(ticketId, details, Ticket.hashOf("token-" + ticketId),
        T0.plusSeconds(secondsAfterStart), null));
  }

  private static AgentPresenceChanged available(String agentId, int secondsAfterStart, String... languages) {
    return new AgentPresenceChanged(agentId, Presence.AVAILABLE, Set.of(languages), Set.of(),
        T0.plusSeconds(secondsAfterStart));
  }

  private static AgentPresenceChanged availableWithSkills(String agentId, int secondsAfterStart, Set<String> languages,
      Set<String> skills) {
    return new AgentPresenceChanged(agentId, Presence.AVAILABLE, languages, skills, T0.plusSeconds(secondsAfterStart));
  }

  private static State stateOf(Event... events) {
    return State.EMPTY.applyAll(List.of(events));
  }

  private static List<String> offered(List<Event> events) {
    return events.stream()
        .map(event -> (ReservationOffered) event)
        .map(offer -> offer.reservation().ticketId() + "->" + offer.reservation().agentId())
        .toList();
  }

  private State routed(State state, Instant now) {
    return state.applyAll(state.route(now, reservationIds));
  }

  @Test
  void onlyOffersCarryTheOfferTagBesideTheTenantsSliceTag() {
    String tenantId = "3fa7910a-96df-475e-9cb7-48350619cb38";
    String slice = TenantQueue.tagFor(tenantId);
    String offers = TenantQueue.OFFER_TAGS.get(TenantQueue.TAGS.indexOf(slice));
    Event offer = new ReservationOffered(new Reservation("r1", "t1", "a1", T0, T0.plusSeconds(20)));
    assertThat(TenantQueue.tagsOf(tenantId, offer)).containsExactlyInAnyOrder(slice, offers);
    assertThat(TenantQueue.tagsOf(tenantId, joined("t1", 0, details("s1")))).containsExactly(slice);
    assertThat(TenantQueue.tagsOf(tenantId, available("a1", 0, "en"))).containsExactly(slice);
    assertThat(TenantQueue.OFFER_TAGS).doesNotContainAnyElementsOf(TenantQueue.TAGS).hasSize(TenantQueue.TAG_COUNT);
  }

  @Test
  void ticketsWaitInJoinOrder() {
    State state =
        stateOf(joined("t1", 0, details("s1")), joined("t2", 1, details("s2")), joined("t3", 2, details("s3")));
    assertThat(state.positionOf("t1")).isEqualTo(1);
    assertThat(state.positionOf("t3")).isEqualTo(3);
    assertThat(state.positionOf("gone")).isZero();
    assertThat(state.tickets()).extracting(Ticket::ticketId).containsExactly("t1", "t2", "t3");
  }

  @Test
  void longestWaitingTicketGoesToTheLongestIdleAgent() {
    State state = stateOf(available("newcomer", 50), available("veteran", 10),
        joined("t1", 60, details("s1")), joined("t2", 61, details("s2")));
    List<Event> offers = state.route(T0.plusSeconds(70), reservationIds);
    assertThat(offered(offers)).containsExactly("t1->veteran", "t2->newcomer");
    Reservation reservation = ((ReservationOffered) offers.get(0)).reservation();
    assertThat(reservation.expiresAt()).isEqualTo(T0.plusSeconds(70).plus(QueueSettings.DEFAULT.reservationTimeout()));
  }

  @Test
  void roundRobinTakesTurnsInRosterOrder() {
    QueueSettings roundRobin = new QueueSettings(100, Duration.ofSeconds(20), QueueSettings.RoutingStrategy.ROUND_ROBIN,
        Duration.ofSeconds(60), Duration.ofSeconds(10));
    // Roster order a, b, c; but c has been idle the longest.
    State state = stateOf(new SettingsUpdated(roundRobin, T0),
        available("a", 30), available("b", 20), available("c", 10), joined("t1", 40, details("s1")));
    assertThat(offered(state.route(T0.plusSeconds(41), reservationIds))).containsExactly("t1->a");

    State afterB = state.withReservations(List.of()).withLastOfferedAgentId("b");
    assertThat(offered(afterB.route(T0.plusSeconds(41), reservationIds))).containsExactly("t1->c");
    State afterC = state.withReservations(List.of()).withLastOfferedAgentId("c");
    assertThat(offered(afterC.route(T0.plusSeconds(41), reservationIds))).as("wraps around").containsExactly("t1->a");
  }

  @Test
  void ticketsGoOnlyToAgentsWithTheirLanguageAndAllTheirSkills() {
    State state = stateOf(
        available("english-only", 1, "en"),
        availableWithSkills("german-no-shoes", 2, Set.of("de"), Set.of("bags")),
        availableWithSkills("german-shoes", 3, Set.of("DE", "en"), Set.of("Shoes", "bags")),
        joined("t-de-shoes", 10, details("s1", "de", "shoes")),
        joined("t-fr", 11, details("s2", "fr")),
        joined("t-any", 12, details("s3")));
    // The French ticket nobody speaks does not hold up the ticket behind it.
    assertThat(offered(state.route(T0.plusSeconds(20), reservationIds)))
        .containsExactly("t-de-shoes->german-shoes", "t-any->english-only");
  }

  @Test
  void releasedTicketKeepsItsPlaceAheadOfLaterJoiners() {
    State state = routed(stateOf(available("a", 0), joined("t1", 1, details("s1"))), T0.plusSeconds(1));
    Reservation reservation = state.reservationForTicket("t1").orElseThrow();
    state = state.applyAll(List.of(
        joined("t2", 2, details("s2")),
        new ReservationReleased(reservation.reservationId(), "t1", "a", ReleaseReason.REJECTED, T0.plusSeconds(3)),
        new AgentPresenceChanged("a", Presence.AWAY, Set.of(), Set.of(), T0.plusSeconds(3)),
        available("b", 4)));
    assertThat(state.positionOf("t1")).isEqualTo(1);
    assertThat(state.positionOf("t2")).isEqualTo(2);
    assertThat(offered(state.route(T0.plusSeconds(5), reservationIds))).containsExactly("t1->b");
  }

  @Test
  void acceptedTicketLeavesTheQueueAndTheAgentIsBusyInTheRoom() {
    State state = routed(stateOf(available("a", 0), joined("t1", 1, details("s1")), joined("t2", 2, details("s2"))),
        T0.plusSeconds(2));
    Reservation reservation = state.reservationForAgent("a").orElseThrow();
    state = state.apply(new ReservationAccepted(reservation.reservationId(), "t1", "a", "room-1", T0.plusSeconds(5)));
    assertThat(state.tickets()).extracting(Ticket::ticketId).containsExactly("t2");
    assertThat(state.reservations()).isEmpty();
    Agent agent = state.agent("a").orElseThrow();
    assertThat(agent.presence()).isEqualTo(Presence.BUSY);
    assertThat(agent.roomId()).isEqualTo("room-1");
    assertThat(agent.since()).isEqualTo(T0.plusSeconds(5));
    assertThat(state.route(T0.plusSeconds(6), reservationIds)).as("a busy agent is not offered tickets").isEmpty();
  }

  @Test
  void finishedCallsMakeTheAgentAvailableAndKeepTheLastTwentyHandleTimes() {
    State state = stateOf(available("a", 0));
    for (int call = 1; call <= 25; call++) {
      state = state.apply(new CallFinished("a", "room-" + call, Duration.ofMinutes(call), T0.plusSeconds(call)));
    }
    assertThat(state.recentHandleTimes()).hasSize(WaitEstimate.SAMPLE_SIZE)
        .startsWith(Duration.ofMinutes(6)).endsWith(Duration.ofMinutes(25));
    assertThat(state.agent("a").orElseThrow().presence()).isEqualTo(Presence.AVAILABLE);
    assertThat(state.agent("a").orElseThrow().roomId()).isNull();
  }

  @Test
  void reannouncingTheSamePresenceKeepsTheIdleTime() {
    State state = stateOf(available("a", 0), available("a", 30));
    assertThat(state.agent("a").orElseThrow().since()).isEqualTo(T0);
  }

  @Test
  void disconnectedShoppersAndAgentsAreNotOffered() {
    State state = stateOf(available("a", 0), joined("t1", 1, details("s1")),
        new TicketDisconnected("t1", T0.plusSeconds(2)));
    assertThat(state.route(T0.plusSeconds(3), reservationIds)).isEmpty();

    State agentGone = stateOf(available("a", 0), new TenantQueue.AgentConnectionLost("a", T0.plusSeconds(1)),
        joined("t1", 2, details("s1")));
    assertThat(agentGone.route(T0.plusSeconds(3), reservationIds)).isEmpty();
  }

  @Test
  void viewShowsPositionsWaitEstimatesAndOffers() {
    State state = routed(stateOf(available("a", 0), joined("t1", 1, details("s1")), joined("t2", 2, details("s2"))),
        T0.plusSeconds(2));
    QueueView view = state.view("tenant-1", T0.plusSeconds(3));
    assertThat(view.tickets()).extracting(QueueView.WaitingTicket::position).containsExactly(1, 2);
    QueueView.WaitingTicket head = view.ticket("t1").orElseThrow();
    assertThat(head.reservationId()).isEqualTo(state.reservationForTicket("t1").orElseThrow().reservationId());
    assertThat(head.estimatedWait()).isEqualTo(new WaitEstimate.Range(Duration.ZERO, Duration.ofMinutes(1)));
    assertThat(view.ticket("t2").orElseThrow().estimatedWait())
        .isEqualTo(new WaitEstimate.Range(Duration.ofMinutes(5), Duration.ofMinutes(6)));
    assertThat(view.ticket("t2").orElseThrow().details().productInterest()).isEqualTo("running shoes");
    assertThat(view.agents()).extracting(Agent::agentId).containsExactly("a");
  }

  @Test
  void joinsAreRefusedWhenSuspendedClosedOrFull() {
    TicketDetails shopper = details("s1");
    assertThat(State.EMPTY.refusalToJoin(shopper)).isEmpty();
    assertThat(stateOf(new TenantQueue.SuspensionChanged(true, T0)).refusalToJoin(shopper))
        .contains(Refusal.TENANT_SUSPENDED);
    assertThat(stateOf(new TenantQueue.OpeningChanged(false, T0.plusSeconds(3600), T0)).refusalToJoin(shopper))
        .contains(Refusal.QUEUE_CLOSED);
    QueueSettings one = new QueueSettings(1, Duration.ofSeconds(20), QueueSettings.RoutingStrategy.LONGEST_IDLE,
        Duration.ofSeconds(60), Duration.ofSeconds(10));
    assertThat(stateOf(new SettingsUpdated(one, T0), joined("t1", 1, details("s0"))).refusalToJoin(shopper))
        .contains(Refusal.QUEUE_FULL);
    TicketDetails foreignName = new TicketDetails("s1", details("someone-else").name(), null, null, null, null,
        Set.of(), null, null, false);
    assertThat(State.EMPTY.refusalToJoin(foreignName)).contains(Refusal.INVALID_TICKET);
    TicketDetails tooManySkills = details("s1", "de", IntStream.rangeClosed(0, TicketDetails.MAX_TAGS)
        .mapToObj(i -> "skill-" + i).toArray(String[]::new));
    assertThat(State.EMPTY.refusalToJoin(tooManySkills)).contains(Refusal.INVALID_TICKET);
  }

  @Test
  void billingRefusesJoinsAndTheCallLimitHoldsOffers() {
    State broke = stateOf(new AdmissionChanged(new QueueAdmission(false, Refusal.INSUFFICIENT_FUNDS, null), T0));
    assertThat(broke.refusalToJoin(details("s1"))).hasValue(Refusal.INSUFFICIENT_FUNDS);
    State trialOver = stateOf(new AdmissionChanged(new QueueAdmission(false, Refusal.PLAN_LIMIT, null), T0));
    assertThat(trialOver.refusalToJoin(details("s1"))).hasValue(Refusal.PLAN_LIMIT);

    // One call at once: with one agent busy and one free, the next ticket waits.
    State limited = stateOf(new AdmissionChanged(new QueueAdmission(true, null, 1), T0),
        available("a", 30), available("b", 20), joined("t1", 40, details("s1")), joined("t2", 41, details("s2")));
    assertThat(offered(limited.route(T0.plusSeconds(42), reservationIds))).as("one offer counts toward the limit")
        .containsExactly("t1->b");
    State unlimited = limited.apply(new AdmissionChanged(new QueueAdmission(true, null, null), T0));
    assertThat(offered(unlimited.route(T0.plusSeconds(42), reservationIds))).containsExactly("t1->b", "t2->a");
  }

  @Test
  void theQueueSaysWhyAnOfferEnded() {
    Instant at = Instant.parse("2026-12-02T10:00:00Z");
    List<TenantQueue.Event> changes = List.of(
        new TenantQueue.ReservationReleased("r1", "t1", "a", TenantQueue.ReleaseReason.EXPIRED, at),
        new TenantQueue.ReservationAccepted("r2", "t2", "b", "room", at));
    assertThat(TenantQueue.whyOfferEnded(changes, "r1")).isEqualTo("expired");
    assertThat(TenantQueue.whyOfferEnded(changes, "r2")).isEqualTo("accepted");
    assertThat(TenantQueue.whyOfferEnded(changes, "r3")).as("missed while subscribing again").isEqualTo("ended");
  }

  @Test
  void aCorrectionReplacesAWaitingTicketsPersonalFieldsOnlyAndIsRecordedForOneThatLeft() {
    State state = stateOf(available("a", 0, "de"), joined("t1", 1, details("s1", "de")));
    TicketDetails typo = new TicketDetails("s1", new io.videoshop.persistence.privacy.EncryptedPersonalData("s1", "new-name"),
        null, new io.videoshop.persistence.privacy.EncryptedPersonalData("s1", "new-phone"), null, "en", Set.of("vip"),
        "something else", null, false);

    TenantQueue.TicketDetailsCorrected corrected = state.correction("t1", typo, T0.plusSeconds(5)).orElseThrow();
    TicketDetails now = state.apply(corrected).ticket("t1").orElseThrow().details();
    assertThat(now.name().ciphertext()).isEqualTo("new-name");
    assertThat(now.email()).as("removed").isNull();
    assertThat(now.phone().ciphertext()).isEqualTo("new-phone");
    assertThat(List.of(now.language(), now.skills(), now.productInterest(), now.consent()))
        .as("a correction never reroutes: the rest is the ticket's own")
        .containsExactly("de", Set.of(), "running shoes", true);
    assertThat(state.apply(corrected).positionOf("t1")).isEqualTo(1);

    assertThat(state.correction("t1", details("someone-else"), T0)).as("another subject's values").isEmpty();
    assertThat(state.correction("t1", new TicketDetails("s1", null, null, null, null, null, Set.of(), null, null,
        false), T0)).as("no name").isEmpty();

    // A ticket that left: recorded as given (the reads that outlive it apply it); the state is unchanged.
    TenantQueue.TicketDetailsCorrected ended = state.correction("gone", typo, T0).orElseThrow();
    assertThat(ended.details()).isEqualTo(typo);
    assertThat(state.apply(ended)).isEqualTo(state);

    // Subscribers see a correction as they see a join: the name for consoles, nothing personal otherwise.
    List<Event> withNames = TenantQueue.forSubscriber(List.of(corrected), true);
    assertThat(((TenantQueue.TicketDetailsCorrected) withNames.get(0)).details().name().ciphertext()).isEqualTo("new-name");
    assertThat(((TenantQueue.TicketDetailsCorrected) withNames.get(0)).details().phone()).isNull();
    assertThat(((TenantQueue.TicketDetailsCorrected) TenantQueue.forSubscriber(List.of(corrected), false).get(0))
        .details().name()).isNull();
  }
}
