package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a subscriber of a tenant's queue receives (the feed protocol, docs/queue.md "Live state
 * for sockets"): one {@link Snapshot} when it (re)subscribes, then, after every persisted change,
 * the {@link Changes}: the events just persisted, numbered. A subscriber applies them to its copy
 * of the state ({@link TenantQueue.State#apply}); a number that does not follow the last one it
 * applied (or another queue instance) is a gap, answered by subscribing again, which sends one
 * snapshot.
 *
 * <p>What is sent is the state and events {@link TenantQueue.State#forSubscriber stripped for
 * subscribers}: no resume-token hashes, no remembered assignments, and of a ticket's personal
 * fields only the encrypted name, and that only to subscribers that show names (agents' consoles).
 */
public sealed interface QueueUpdate extends CborSerializable {
  /** The entity instance that sent this: watch it, subscribe again through sharding when it stops. */
  ActorRef<TenantQueue.Command> queue();

  /** This update's number, counted by the entity instance from 1; a snapshot has the number of the last change in it. */
  long seq();

  record Snapshot(ActorRef<TenantQueue.Command> queue, long seq, TenantQueue.State state) implements QueueUpdate {}

  /** The events of one persisted change, in order; {@code seq} is one more than the previous update's. */
  record Changes(ActorRef<TenantQueue.Command> queue, long seq, List<TenantQueue.Event> events)
      implements QueueUpdate {}
}
