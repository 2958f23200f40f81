package io.videoshop.queue;

import static io.videoshop.queue.TestTickets.details;
import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.EntityTestKits;
import io.videoshop.node.MovableClock;
import io.videoshop.queue.TenantQueue.AgentPresence;
import io.videoshop.queue.TenantQueue.Command;
import io.videoshop.queue.TenantQueue.Confirmation;
import io.videoshop.queue.TenantQueue.Confirmed;
import io.videoshop.queue.TenantQueue.Event;
import io.videoshop.queue.TenantQueue.Join;
import io.videoshop.queue.TenantQueue.JoinReply;
import io.videoshop.queue.TenantQueue.Queued;
import io.videoshop.queue.TenantQueue.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue entity with a booked shopper (in-memory journal, serialization checked): the queue's
 * own timers route the ticket when its time comes and when the booked agent's window ends.
 */
class BookedArrivalQueueTest {
  private static final Instant T0 = Instant.parse("2026-03-10T13:58:00Z");
  private static final Duration AGENT_ONLY = Duration.ofMinutes(2);

  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  private MovableClock clock;
  private EventSourcedBehaviorTestKit<Command, Event, State> queue;

  @BeforeEach
  void newQueue() {
    clock = new MovableClock(T0);
    queue = EventSourcedBehaviorTestKit.create(testKit.system(), TenantQueue.create("tenant-" + UUID.randomUUID(), clock),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private void presence(String agentId, Presence presence) {
    assertThat(queue.<Confirmation>runCommand(replyTo -> new AgentPresence(agentId, presence, Set.of("en"), Set.of(),
        replyTo)).reply()).isEqualTo(Confirmed.INSTANCE);
    pass(Duration.ofSeconds(1));
  }

  /** The queue's clock and its timers move together. */
  private void pass(Duration duration) {
    clock.advance(duration);
    manualTime.timePasses(duration);
  }

  private String joinBooked(String shopper, String agentId, Instant start) {
    Ticket.Booked booking = Ticket.Booked.of("booking-" + shopper, agentId, start, clock.instant(), AGENT_ONLY);
    JoinReply reply = queue.<JoinReply>runCommand(replyTo -> new Join(details(shopper), null, replyTo, booking)).reply();
    assertThat(reply).isInstanceOf(Queued.class);
    return ((Queued) reply).ticketId();
  }

  private Optional<String> offeredTo(String ticketId) {
    return queue.getState().reservationForTicket(ticketId).map(Reservation::agentId);
  }

  @Test
  void anEarlyArrivalIsOfferedToTheBookedAgentWhenItsTimeComes() {
    presence("other", Presence.AVAILABLE); // idle longest: a walk-in would go to them
    presence("booked", Presence.AVAILABLE);
    Instant start = clock.instant().plus(Duration.ofSeconds(60));
    String ticket = joinBooked("s1", "booked", start);
    assertThat(offeredTo(ticket)).as("early: waits").isEmpty();
    pass(Duration.ofSeconds(30));
    assertThat(offeredTo(ticket)).isEmpty();
    pass(Duration.ofSeconds(30));
    assertThat(offeredTo(ticket)).as("its time: the booked agent").contains("booked");
  }

  @Test
  void whenTheBookedAgentIsNotThereTheTicketFallsBackToAnyAgentAfterTheWindow() {
    presence("other", Presence.AVAILABLE);
    presence("booked", Presence.AWAY);
    String ticket = joinBooked("s1", "booked", clock.instant());
    assertThat(offeredTo(ticket)).as("reserved for the booked agent").isEmpty();
    pass(AGENT_ONLY.minusSeconds(1));
    assertThat(offeredTo(ticket)).isEmpty();
    pass(Duration.ofSeconds(1));
    assertThat(offeredTo(ticket)).as("the window is over").contains("other");
  }
}
