package io.videoshop.reporting;

import io.videoshop.notification.CallSummaries;
import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.queue.TenantQueue;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * The queue's side of the reports, exactly once: one instance per TenantQueue tag (with
 * {@link BookingReports}, the only eventsByTag polling reporting adds; the room's side rides on
 * {@code CallsProjection}, see {@link CallReports}); it also carries the queue's side of the call summary mail
 * ({@link CallSummaries}).
 */
public final class QueueReportProjection {
  public static final String NAME = "queue-reports";

  private QueueReportProjection() {}

  public static void init(ActorSystem<?> system, CallSummaries summaries) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "QueueReportProjection",
        TenantQueue.TAG_COUNT,
        index -> ProjectionBehavior.create(database.<TenantQueue.Event>exactlyOnceInGroups(system, NAME,
            TenantQueue.TAGS.get(index), () -> new Handler(summaries))),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  /**
   * A group's events (up to 64, one transaction with the offset): the report rows' changes merged
   * in memory and each row written once at the end ({@link ReportRow.Batch}); a group of a tenant's
   * events changes a few rows many times (its day, month and hour, the agents' days).
   */
  private static final class Handler
      extends JdbcHandler<List<EventEnvelope<TenantQueue.Event>>, ProjectionDatabase.Session> {
    private final CallSummaries summaries;

    Handler(CallSummaries summaries) {
      this.summaries = summaries;
    }

    @Override
    public void process(ProjectionDatabase.Session session, List<EventEnvelope<TenantQueue.Event>> envelopes)
        throws Exception {
      session.withConnection(connection -> {
        ReportRow.Batch rows = new ReportRow.Batch();
        for (EventEnvelope<TenantQueue.Event> envelope : envelopes) {
          String tenantId = PersistenceId.extractEntityId(envelope.persistenceId());
          QueueReports.apply(connection, rows, tenantId, envelope.event());
          // The queue's side of the shopper's call summary mail, in the same transaction.
          summaries.apply(connection, tenantId, envelope.event());
        }
        rows.flush(connection);
        return null;
      });
    }
  }
}
