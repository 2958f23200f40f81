package io.videoshop.queue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A subscriber's copy of a tenant's queue (docs/queue.md, "Live state for sockets"): the state of
 * the last {@link QueueUpdate.Snapshot} with every {@link QueueUpdate.Changes} numbered after it
 * applied, from the one entity instance that sent them. Pure: {@link QueueFeed} keeps one per node
 * and tenant; {@code QueueReplicaTest} checks the gap detection and what shoppers hear.
 */
record QueueReplica(ActorRef<TenantQueue.Command> queue, long seq, TenantQueue.State state) {

  /** What an update did to a replica. */
  enum Outcome {
    /** A snapshot: the replica starts again from it. */
    SNAPSHOT,
    /** The changes numbered next: applied. */
    APPLIED,
    /** Changes the replica already holds (numbered up to its own): nothing to do. */
    ALREADY_APPLIED,
    /** Changes that do not follow (a number skipped, another instance, or no snapshot yet): subscribe again. */
    GAP
  }

  record Step(Outcome outcome, QueueReplica replica, List<TenantQueue.Event> events) {}

  /** @param current null before the first snapshot */
  static Step step(QueueReplica current, QueueUpdate update) {
    if (update instanceof QueueUpdate.Snapshot snapshot) {
      return new Step(Outcome.SNAPSHOT, new QueueReplica(snapshot.queue(), snapshot.seq(), snapshot.state()), List.of());
    }
    QueueUpdate.Changes changes = (QueueUpdate.Changes) update;
    if (current == null || !current.queue().equals(changes.queue())) return new Step(Outcome.GAP, current, List.of());
    if (changes.seq() <= current.seq()) return new Step(Outcome.ALREADY_APPLIED, current, List.of());
    if (changes.seq() != current.seq() + 1) return new Step(Outcome.GAP, current, List.of());
    return new Step(Outcome.APPLIED,
        new QueueReplica(current.queue(), changes.seq(), current.state().applyAll(changes.events())), changes.events());
  }

  /**
   * What each followed ticket's shopper hears from one step, and only what changed for them: the
   * accept (with the room), being let go by the queue, a new position or estimate, or leaving
   * without a word in these events (they fell in a gap: the shopper's session asks the queue).
   *
   * @param before the state before the step, null for a first snapshot
   */
  static Map<String, TicketNews> news(TenantQueue.State before, TenantQueue.State after,
      List<TenantQueue.Event> events, Set<String> followed) {
    Map<String, TicketNews> news = new HashMap<>();
    if (followed.isEmpty()) return news;
    for (TenantQueue.Event event : events) {
      if (event instanceof TenantQueue.ReservationAccepted accepted && followed.contains(accepted.ticketId())) {
        String subjectId = before == null ? null
            : before.ticket(accepted.ticketId()).map(ticket -> ticket.details().subjectId()).orElse(null);
        news.put(accepted.ticketId(), new TicketNews.Assigned(accepted.ticketId(), accepted.agentId(),
            accepted.roomId(), subjectId));
      } else if (event instanceof TenantQueue.TicketAbandoned abandoned && followed.contains(abandoned.ticketId())) {
        news.put(abandoned.ticketId(), new TicketNews.Abandoned(abandoned.ticketId(), abandoned.reason()));
      }
    }
    Map<String, Integer> positionsBefore = before == null ? Map.of() : positions(before, followed);
    Map<String, Integer> positionsAfter = positions(after, followed);
    WaitEstimate estimateBefore = before == null ? null : before.waitEstimate();
    WaitEstimate estimateAfter = after.waitEstimate();
    for (String ticketId : followed) {
      if (news.containsKey(ticketId)) continue;
      Integer was = positionsBefore.get(ticketId);
      Integer now = positionsAfter.get(ticketId);
      if (now != null) {
        WaitEstimate.Range wait = estimateAfter.atPosition(now).orElse(null);
        boolean same = was != null && was.equals(now)
            && Objects.equals(wait, estimateBefore.atPosition(was).orElse(null));
        if (!same) news.put(ticketId, new TicketNews.Standing(ticketId, now, wait));
      } else if (was != null) {
        news.put(ticketId, new TicketNews.Gone(ticketId));
      }
    }
    return news;
  }

  /** What a shopper who starts following a ticket hears first: where it stands, or the room it went to. */
  static Optional<TicketNews> current(TenantQueue.State state, String ticketId) {
    int position = state.positionOf(ticketId);
    if (position > 0) {
      return Optional.of(new TicketNews.Standing(ticketId, position,
          state.waitEstimate().atPosition(position).orElse(null)));
    }
    return state.assignments().stream().filter(a -> a.ticketId().equals(ticketId)).findFirst()
        .map(a -> new TicketNews.Assigned(a.ticketId(), a.agentId(), a.roomId(), a.subjectId()));
  }

  /** Positions of the followed tickets only, in one pass. */
  private static Map<String, Integer> positions(TenantQueue.State state, Set<String> followed) {
    Map<String, Integer> positions = new HashMap<>();
    List<Ticket> tickets = state.tickets();
    for (int i = 0; i < tickets.size(); i++) {
      if (followed.contains(tickets.get(i).ticketId())) positions.put(tickets.get(i).ticketId(), i + 1);
    }
    return positions;
  }
}
