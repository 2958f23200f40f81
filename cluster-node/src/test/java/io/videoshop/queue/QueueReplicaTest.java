package io.videoshop.queue;

import static io.videoshop.queue.TestTickets.details;
import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.queue.QueueReplica.Outcome;
import io.videoshop.queue.TenantQueue.AgentPresenceChanged;
import io.videoshop.queue.TenantQueue.Event;
import io.videoshop.queue.TenantQueue.ReservationAccepted;
import io.videoshop.queue.TenantQueue.ReservationOffered;
import io.videoshop.queue.TenantQueue.State;
import io.videoshop.queue.TenantQueue.TicketAbandoned;
import io.videoshop.queue.TenantQueue.TicketJoined;
import io.videoshop.queue.TenantQueue.TicketLeft;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A subscriber's copy of the queue on its own: which updates apply and which are gaps, and what
 * a shopper following a ticket hears (and does not hear) from a change.
 */
class QueueReplicaTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  private static final ActorRef<TenantQueue.Command> QUEUE = testKit.<TenantQueue.Command>createTestProbe().ref();
  private static final ActorRef<TenantQueue.Command> MOVED = testKit.<TenantQueue.Command>createTestProbe().ref();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static TicketJoined joined(String ticketId, int second) {
    return new TicketJoined(new Ticket(ticketId, details("shopper-" + ticketId), "", T0.plusSeconds(second), null));
  }

  private static QueueReplica replicaAt(long seq, Event... events) {
    return new QueueReplica(QUEUE, seq, State.EMPTY.applyAll(List.of(events)));
  }

  private static QueueUpdate.Changes changes(ActorRef<TenantQueue.Command> queue, long seq, Event... events) {
    return new QueueUpdate.Changes(queue, seq, List.of(events));
  }

  // Gap detection

  @Test
  void theChangesNumberedNextApply() {
    QueueReplica replica = replicaAt(7, joined("t1", 0));
    QueueReplica.Step step = QueueReplica.step(replica, changes(QUEUE, 8, joined("t2", 1)));
    assertThat(step.outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(step.replica().seq()).isEqualTo(8);
    assertThat(step.replica().state().tickets()).extracting(Ticket::ticketId).containsExactly("t1", "t2");
    assertThat(step.events()).containsExactly(joined("t2", 1));
  }

  @Test
  void aSkippedNumberAnotherQueueInstanceOrNoSnapshotYetIsAGap() {
    QueueReplica replica = replicaAt(7, joined("t1", 0));
    assertThat(QueueReplica.step(replica, changes(QUEUE, 9, joined("t2", 1))).outcome()).isEqualTo(Outcome.GAP);
    assertThat(QueueReplica.step(replica, changes(MOVED, 8, joined("t2", 1))).outcome())
        .as("a restarted or moved queue counts again").isEqualTo(Outcome.GAP);
    assertThat(QueueReplica.step(null, changes(QUEUE, 1, joined("t2", 1))).outcome()).isEqualTo(Outcome.GAP);
    assertThat(QueueReplica.step(replica, changes(QUEUE, 9)).replica()).as("a gap changes nothing").isSameAs(replica);
  }

  @Test
  void changesAlreadyInTheReplicaAreDroppedAndASnapshotStartsAgain() {
    QueueReplica replica = replicaAt(7, joined("t1", 0));
    assertThat(QueueReplica.step(replica, changes(QUEUE, 7, joined("t1", 0))).outcome())
        .isEqualTo(Outcome.ALREADY_APPLIED);
    State elsewhere = State.EMPTY.apply(joined("t9", 3));
    QueueReplica.Step step = QueueReplica.step(replica, new QueueUpdate.Snapshot(MOVED, 2, elsewhere));
    assertThat(step.outcome()).isEqualTo(Outcome.SNAPSHOT);
    assertThat(step.replica()).isEqualTo(new QueueReplica(MOVED, 2, elsewhere));
    assertThat(QueueReplica.step(step.replica(), changes(MOVED, 3, joined("t10", 4))).outcome())
        .isEqualTo(Outcome.APPLIED);
  }

  // What shoppers hear

  @Test
  void aShopperHearsANewPositionAndNothingWhenTheirsDidNotChange() {
    State before = State.EMPTY.applyAll(List.of(joined("t1", 0), joined("t2", 1), joined("t3", 2)));
    List<Event> t3Joins = List.of(joined("t4", 3));
    State after = before.applyAll(t3Joins);
    assertThat(QueueReplica.news(before, after, t3Joins, Set.of("t2", "t3")))
        .as("someone joined behind them: same place, same estimate").isEmpty();

    List<Event> headLeaves = List.of(new TicketLeft("t1", T0.plusSeconds(5)));
    State later = after.applyAll(headLeaves);
    assertThat(QueueReplica.news(after, later, headLeaves, Set.of("t3")))
        .isEqualTo(Map.of("t3", new TicketNews.Standing("t3", 2, null)));
  }

  @Test
  void aShopperHearsANewEstimateAtTheSamePlace() {
    State before = State.EMPTY.applyAll(List.of(joined("t1", 0), joined("t2", 1)));
    List<Event> agentArrives = List.of(new AgentPresenceChanged("a", Presence.AWAY, Set.of(), Set.of(), T0));
    State away = before.applyAll(agentArrives);
    assertThat(QueueReplica.news(before, away, agentArrives, Set.of("t2"))).as("nobody on duty yet").isEmpty();
    List<Event> available = List.of(new AgentPresenceChanged("a", Presence.AVAILABLE, Set.of(), Set.of(), T0));
    State staffed = away.applyAll(available);
    TicketNews news = QueueReplica.news(away, staffed, available, Set.of("t2")).get("t2");
    assertThat(news).isEqualTo(new TicketNews.Standing("t2", 2, staffed.estimatedWaitOf("t2").orElseThrow()));
  }

  @Test
  void theAcceptCarriesTheRoomAndTheSubjectAndAGraceEndIsSaid() {
    Reservation offer = new Reservation("r1", "t1", "a", T0, T0.plusSeconds(20));
    State before = State.EMPTY.applyAll(List.of(joined("t1", 0), joined("t2", 1),
        new AgentPresenceChanged("a", Presence.AVAILABLE, Set.of(), Set.of(), T0), new ReservationOffered(offer)));
    List<Event> events = List.of(new ReservationAccepted("r1", "t1", "a", "room-1", T0.plusSeconds(3)),
        new TicketAbandoned("t2", TenantQueue.AbandonReason.MAX_WAIT_REACHED, T0.plusSeconds(3)));
    Map<String, TicketNews> news = QueueReplica.news(before, before.applyAll(events), events, Set.of("t1", "t2"));
    assertThat(news).isEqualTo(Map.of(
        "t1", new TicketNews.Assigned("t1", "a", "room-1", "shopper-t1"),
        "t2", new TicketNews.Abandoned("t2", TenantQueue.AbandonReason.MAX_WAIT_REACHED)));
  }

  @Test
  void aTicketMissingFromASnapshotIsGoneAndAFollowerFindsTheRoomItWentTo() {
    State before = State.EMPTY.applyAll(List.of(joined("t1", 0), joined("t2", 1)));
    // The accept fell in a gap: the snapshot just lacks the ticket.
    Reservation offer = new Reservation("r1", "t1", "a", T0, T0.plusSeconds(20));
    State snapshot = before.applyAll(List.of(new AgentPresenceChanged("a", Presence.AVAILABLE, Set.of(), Set.of(), T0),
        new ReservationOffered(offer), new ReservationAccepted("r1", "t1", "a", "room-1", T0.plusSeconds(2))));
    assertThat(QueueReplica.news(before, snapshot, List.of(), Set.of("t1"))).isEqualTo(Map.of("t1",
        new TicketNews.Gone("t1")));
    assertThat(QueueReplica.current(snapshot, "t1")).contains(new TicketNews.Assigned("t1", "a", "room-1",
        "shopper-t1"));
    assertThat(QueueReplica.current(snapshot, "t2")).contains(new TicketNews.Standing("t2", 1,
        snapshot.estimatedWaitOf("t2").orElse(null)));
    assertThat(QueueReplica.current(snapshot, "unknown")).isEmpty();
  }

  @Test
  void subscribersGetNoResumeHashesNoAssignmentsAndOnlyTheNamesTheyShow() {
    State queue = State.EMPTY.applyAll(List.of(
        new TicketJoined(new Ticket("t1", details("s1"), Ticket.hashOf("secret-token"), T0, null))));
    State plain = queue.forSubscriber(false);
    Ticket ticket = plain.tickets().get(0);
    assertThat(ticket.resumeTokenHash()).isEmpty();
    assertThat(ticket.details().name()).isNull();
    assertThat(ticket.details().email()).isNull();
    assertThat(ticket.details().productInterest()).as("not personal: kept").isEqualTo("running shoes");
    assertThat(queue.forSubscriber(true).tickets().get(0).details().name()).isEqualTo(details("s1").name());
    assertThat(queue.forSubscriber(true).tickets().get(0).details().email()).isNull();
    assertThat(plain.assignments()).isEmpty();
    assertThat(TenantQueue.forSubscriber(List.of(joined("t2", 1)), false)).singleElement()
        .satisfies(event -> assertThat(((TicketJoined) event).ticket().details().name()).isNull());
  }
}
