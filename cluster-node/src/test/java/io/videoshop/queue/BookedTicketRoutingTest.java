package io.videoshop.queue;

import static io.videoshop.queue.TestTickets.details;
import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.queue.TenantQueue.AgentPresenceChanged;
import io.videoshop.queue.TenantQueue.Event;
import io.videoshop.queue.TenantQueue.ReservationOffered;
import io.videoshop.queue.TenantQueue.State;
import io.videoshop.queue.TenantQueue.TicketJoined;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Scheduling's rule in the queue's routing, on the state alone: a booked shopper who arrives is
 * offered to the booked agent only for a while, then to any agent, ahead of walk-ins; before the
 * booked time the ticket waits.
 */
class BookedTicketRoutingTest {
  private static final Instant START = Instant.parse("2026-03-10T14:00:00Z");
  private static final Duration AGENT_ONLY = Duration.ofMinutes(2);

  private final AtomicInteger ids = new AtomicInteger();
  private final Supplier<String> reservationIds = () -> "r" + ids.incrementAndGet();

  private static TicketJoined walkIn(String ticketId, Instant at) {
    return new TicketJoined(new Ticket(ticketId, details("s-" + ticketId), Ticket.hashOf("t-" + ticketId), at, null));
  }

  private static TicketJoined booked(String ticketId, String agentId, Instant arrivedAt) {
    return new TicketJoined(new Ticket(ticketId, details("s-" + ticketId), Ticket.hashOf("t-" + ticketId), arrivedAt,
        null, Ticket.Booked.of("b-" + ticketId, agentId, START, arrivedAt, AGENT_ONLY)));
  }

  private static AgentPresenceChanged available(String agentId, Instant at) {
    return new AgentPresenceChanged(agentId, Presence.AVAILABLE, Set.of("en"), Set.of(), at);
  }

  private static AgentPresenceChanged away(String agentId, Instant at) {
    return new AgentPresenceChanged(agentId, Presence.AWAY, Set.of("en"), Set.of(), at);
  }

  private List<String> offers(State state, Instant now) {
    return state.route(now, reservationIds).stream().map(event -> ((ReservationOffered) event).reservation())
        .map(r -> r.ticketId() + "->" + r.agentId()).toList();
  }

  private static State state(Event... events) {
    return State.EMPTY.applyAll(List.of(events));
  }

  @Test
  void theBookedAgentGetsTheFirstOfferAheadOfAnEarlierWalkIn() {
    Instant now = START.plusSeconds(5);
    State state = state(available("other", START.minusSeconds(600)), available("booked-agent", START.minusSeconds(60)),
        walkIn("walk", START.minusSeconds(300)), booked("appt", "booked-agent", now));
    // The walk-in waited longer and "other" is idle longer, but the booking goes first, to its agent.
    assertThat(offers(state, now)).containsExactly("appt->booked-agent", "walk->other");
  }

  @Test
  void whileTheBookedAgentIsAwayTheTicketWaitsForThemThenFallsBackToAnyAgent() {
    Instant arrived = START.plusSeconds(10);
    State state = state(available("other", START.minusSeconds(600)), away("booked-agent", START.minusSeconds(60)),
        booked("appt", "booked-agent", arrived), walkIn("walk", START.plusSeconds(20)));
    // Inside the window: reserved for the booked agent; the walk-in behind is not held up.
    assertThat(offers(state, arrived.plusSeconds(30))).containsExactly("walk->other");
    // The window is over: any free agent, still ahead of walk-ins.
    assertThat(offers(state, arrived.plus(AGENT_ONLY))).containsExactly("appt->other");
  }

  @Test
  void anEarlyArrivalWaitsUntilTheBookedTimeWithoutHoldingUpWalkIns() {
    Instant early = START.minus(Duration.ofMinutes(5));
    State state = state(available("booked-agent", START.minusSeconds(900)), booked("appt", "booked-agent", early));
    assertThat(offers(state, early.plusSeconds(60))).as("too early: no offer").isEmpty();
    assertThat(state.positionOf("appt")).as("keeps its place").isEqualTo(1);
    // The window counts from the start for an early arrival.
    assertThat(((TicketJoined) booked("x", "a", early)).ticket().booking().agentOnlyUntil()).isEqualTo(START.plus(AGENT_ONLY));
    assertThat(offers(state, START)).containsExactly("appt->booked-agent");
    State withWalkIn = state.applyAll(List.of(walkIn("walk", early.plusSeconds(1))));
    assertThat(offers(withWalkIn, early.plusSeconds(60))).as("the walk-in is served meanwhile")
        .containsExactly("walk->booked-agent");
  }

  @Test
  void aLateArrivalsWindowCountsFromTheArrival() {
    Instant late = START.plus(Duration.ofMinutes(7));
    Ticket.Booked booking = Ticket.Booked.of("b", "a", START, late, AGENT_ONLY);
    assertThat(booking.agentOnlyUntil()).isEqualTo(late.plus(AGENT_ONLY));
  }

  @Test
  void aBookedShopperIsNotKeptOutByClosedHoursOrAFullQueueButBySuspension() {
    Ticket.Booked booking = Ticket.Booked.of("b", "booked-agent", START, START.minusSeconds(600), AGENT_ONLY);
    State closed = state(new TenantQueue.OpeningChanged(false, START.plusSeconds(3600), START.minusSeconds(900)));
    assertThat(closed.refusalToJoin(details("s1"))).contains(Refusal.QUEUE_CLOSED);
    assertThat(closed.refusalToJoin(details("s1"), booking)).as("an early arrival before the opening").isEmpty();
    State full = state(new TenantQueue.SettingsUpdated(new QueueSettings(1, Duration.ofSeconds(20),
        QueueSettings.RoutingStrategy.LONGEST_IDLE, Duration.ofSeconds(60), Duration.ofSeconds(10)), START),
        walkIn("w", START));
    assertThat(full.refusalToJoin(details("s1"))).contains(Refusal.QUEUE_FULL);
    assertThat(full.refusalToJoin(details("s1"), booking)).isEmpty();
    assertThat(state(new TenantQueue.SuspensionChanged(true, START)).refusalToJoin(details("s1"), booking))
        .contains(Refusal.TENANT_SUSPENDED);
  }
}
