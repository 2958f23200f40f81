package io.videoshop.push;

import io.videoshop.notification.Outbox;
import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.queue.TenantQueue;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * An offer to an agent becomes a push to each of the agent's browsers: the TenantQueue's
 * {@code ReservationOffered} events are read by their own tag ({@link TenantQueue#OFFER_TAGS}, not
 * every queue event) and each offer's outbox rows are written in
 * the same transaction as the projection's offset, so every offer is queued exactly once. An offer
 * that expired before the projection saw it (a node was down) is not pushed. Whether the agent
 * An offer persisted by a version without the offer tags (during a rolling upgrade) carries only
 * the queue's tag and gets no push; the outbox's key per reservation keeps a repeat to one push.
 * Whether the agent is looking at the console is the service worker's business: it shows no notification for an
 * offer while a console tab is visible (docs/notifications.md, "Web push").
 */
public final class OfferPushProjection {
  public static final String NAME = "offer-pushes";

  private OfferPushProjection() {}

  public static void init(ActorSystem<?> system, Outbox outbox, Clock clock, Runnable afterEnqueue) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "OfferPushProjection",
        TenantQueue.TAG_COUNT,
        index -> ProjectionBehavior.create(database.<TenantQueue.Event>exactlyOnce(system, NAME,
            TenantQueue.OFFER_TAGS.get(index), () -> new Handler(outbox, clock, afterEnqueue))),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<TenantQueue.Event>, ProjectionDatabase.Session> {
    private final Outbox outbox;
    private final Clock clock;
    private final Runnable afterEnqueue;

    Handler(Outbox outbox, Clock clock, Runnable afterEnqueue) {
      this.outbox = outbox;
      this.clock = clock;
      this.afterEnqueue = afterEnqueue;
    }

    @Override
    public void process(ProjectionDatabase.Session session, EventEnvelope<TenantQueue.Event> envelope) throws Exception {
      if (!(envelope.event() instanceof TenantQueue.ReservationOffered offered)) return;
      Instant now = clock.instant();
      Instant expiresAt = offered.reservation().expiresAt();
      if (!expiresAt.isAfter(now)) return;
      String tenantId = PersistenceId.extractEntityId(envelope.persistenceId());
      int queued = session.withConnection(connection -> PushOutbox.enqueue(outbox, connection, "offer", tenantId,
          offered.reservation().agentId(), AgentPushes.offer(expiresAt, now), expiresAt,
          "push:offer:" + offered.reservation().reservationId()));
      // The workers poll; a nudge saves up to a poll interval (they find the rows once this commits).
      if (queued > 0) afterEnqueue.run();
    }
  }
}
