package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a subscriber of a tenant's queue receives: first the current view with no changes, then,
 * after every persisted change, the events just persisted and the view after them. The events say
 * what happened (e.g. a {@link TenantQueue.ReservationAccepted} carries the call room id for the
 * shopper's and the agent's sockets); the view says where everything stands.
 *
 * @param queue the entity instance that sent this: watch it and subscribe again through sharding
 *     when it stops (it moved to another node, restarted or was passivated)
 */
public record QueueUpdate(ActorRef<TenantQueue.Command> queue, List<TenantQueue.Event> changes, QueueView view)
    implements CborSerializable {}
