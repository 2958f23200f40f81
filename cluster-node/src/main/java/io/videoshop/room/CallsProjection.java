package io.videoshop.room;

import io.videoshop.notification.CallSummaries;
import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.reporting.CallReports;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Keeps one row per call in {@code calls} (for the paged, filtered list of calls), exactly once:
 * each event's change is written in the same transaction as the projection's offset. One
 * instance per CallRoom tag, spread over the cluster.
 */
public final class CallsProjection {
  public static final String NAME = "calls";

  private CallsProjection() {}

  /**
   * One transaction per event, not in groups as the other projections (ProjectionDatabase.exactlyOnce):
   * a tenant's rooms are spread over all four tags, so the four instances update the same
   * report rows, and two groups updating two tenants' rows in opposite orders would deadlock.
   */
  public static void init(ActorSystem<?> system, CallSummaries summaries) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "CallsProjection", CallRoom.TAG_COUNT,
        index -> ProjectionBehavior.create(JdbcProjection.exactlyOnce(ProjectionId.of(NAME, CallRoom.TAGS.get(index)),
            EventSourcedProvider.<CallRoom.Event>eventsByTag(system, JdbcReadJournal.Identifier(), CallRoom.TAGS.get(index)),
            database::session, () -> new Handler(summaries), system)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<CallRoom.Event>, ProjectionDatabase.Session> {
    private final CallSummaries summaries;

    Handler(CallSummaries summaries) {
      this.summaries = summaries;
    }

    @Override
    public void process(ProjectionDatabase.Session session, EventEnvelope<CallRoom.Event> envelope) throws Exception {
      String roomId = PersistenceId.extractEntityId(envelope.persistenceId());
      CallRoom.Event event = envelope.event();
      session.withConnection(connection -> {
        if (event instanceof CallRoom.RoomOpened opened) {
          update(connection, """
              INSERT INTO calls (room_id, tenant_id, ticket_id, agent_id, status, created_at)
              VALUES (?, ?, ?, ?, 'waiting', ?)""", opened.roomId(), opened.tenantId(), opened.ticketId(),
              opened.agentId(), Timestamp.from(opened.at()));
        } else if (event instanceof CallRoom.CallStarted started) {
          update(connection, "UPDATE calls SET status = 'in-call', started_at = ? WHERE room_id = ?",
              Timestamp.from(started.at()), roomId);
        } else if (event instanceof CallRoom.MinuteStarted minute) {
          update(connection, "UPDATE calls SET minutes = ? WHERE room_id = ?", minute.index() + 1, roomId);
        } else if (event instanceof CallRoom.ProductShown) {
          update(connection, "UPDATE calls SET products_shown = products_shown + 1 WHERE room_id = ?", roomId);
        } else if (event instanceof CallRoom.AddedToCart) {
          update(connection, "UPDATE calls SET added_to_cart = added_to_cart + 1 WHERE room_id = ?", roomId);
        } else if (event instanceof CallRoom.CallEnded ended) {
          update(connection, """
              UPDATE calls SET status = 'ended', ended_at = ?, duration_seconds = ?, end_reason = ? WHERE room_id = ?""",
              Timestamp.from(ended.at()), ended.durationSeconds(), ended.reason(), roomId);
        } else if (event instanceof CallRoom.FeedbackGiven feedback) {
          update(connection, "UPDATE calls SET rating = ? WHERE room_id = ?", feedback.rating(), roomId);
        } else if (event instanceof CallRoom.WrappedUp wrapUp) {
          update(connection, "UPDATE calls SET outcome = ? WHERE room_id = ?", wrapUp.outcome(), roomId);
        }
        // The reports' call figures, in this same transaction: no second poller on the room tags.
        CallReports.apply(connection, roomId, event);
        // The room's side of the shopper's call summary mail, likewise.
        summaries.apply(connection, roomId, envelope.sequenceNr(), event);
        return null;
      });
    }
  }

  private static void update(Connection connection, String sql, Object... values) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) statement.setObject(i + 1, values[i]);
      statement.executeUpdate();
    }
  }
}
