package io.videoshop.reporting;

import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.scheduling.BookingCalendar;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * The bookings' side of the reports: made, attended, no-show, missed and cancelled per tenant, local day
 * and agent, from the booking calendars' events, exactly once (rows and offset in one
 * transaction). A projection of its own (one instance per BookingCalendar tag) rather than a
 * passenger of {@code BookingsProjection}, so that it counts the bookings made before it existed
 * and can be rebuilt without sending the bookings' mails again. Every figure counts on the local
 * day of its event (docs/reporting.md, "Bookings").
 */
public final class BookingReports {
  public static final String NAME = "booking-reports";
  static final String DAYS = "report_booking_days";
  static final String MONTHS = "report_booking_months";

  private BookingReports() {}

  public static void init(ActorSystem<?> system) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "BookingReportProjection",
        BookingCalendar.TAG_COUNT,
        index -> ProjectionBehavior.create(database.<BookingCalendar.Event>exactlyOnce(system, NAME,
            BookingCalendar.TAGS.get(index), Handler::new)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<BookingCalendar.Event>, ProjectionDatabase.Session> {
    @Override
    public void process(ProjectionDatabase.Session session, EventEnvelope<BookingCalendar.Event> envelope)
        throws Exception {
      String tenantId = PersistenceId.extractEntityId(envelope.persistenceId());
      session.withConnection(connection -> {
        apply(connection, tenantId, envelope.event());
        return null;
      });
    }
  }

  /** What one booking event changes, on the projection's connection. */
  static void apply(Connection connection, String tenantId, BookingCalendar.Event event) throws SQLException {
    if (event instanceof BookingCalendar.BookingMade made) {
      String agentId = made.booking().agentId();
      update(connection, "INSERT INTO report_open_bookings (tenant_id, booking_id, agent_id) VALUES (?, ?, ?)",
          tenantId, made.booking().id(), agentId);
      row(connection, tenantId, made.at(), agentId).add("bookings_made", 1).write(connection);
    } else if (event instanceof BookingCalendar.BookingRescheduled moved) {
      update(connection, "UPDATE report_open_bookings SET agent_id = ? WHERE tenant_id = ? AND booking_id = ?",
          moved.agentId(), tenantId, moved.bookingId());
    } else if (event instanceof BookingCalendar.BookingReassigned reassigned) {
      update(connection, "UPDATE report_open_bookings SET agent_id = ? WHERE tenant_id = ? AND booking_id = ?",
          reassigned.toAgentId(), tenantId, reassigned.bookingId());
    } else if (event instanceof BookingCalendar.BookingCancelled cancelled) {
      ended(connection, tenantId, cancelled.bookingId(), "bookings_cancelled", cancelled.at());
    } else if (event instanceof BookingCalendar.BookingOutcomeRecorded recorded) {
      ended(connection, tenantId, recorded.bookingId(), switch (recorded.outcome()) {
        case ATTENDED -> "bookings_attended";
        case NO_SHOW -> "bookings_no_show";
        case MISSED -> "bookings_missed";
      }, recorded.at());
    }
  }

  /** A booking ends once (the calendar refuses a second end): counted for its agent of now. */
  private static void ended(Connection connection, String tenantId, String bookingId, String column, Instant at)
      throws SQLException {
    String agentId;
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT agent_id FROM report_open_bookings WHERE tenant_id = ? AND booking_id = ?")) {
      select.setString(1, tenantId);
      select.setString(2, bookingId);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) return; // not made through these events: nothing to end
        agentId = rs.getString(1);
      }
    }
    row(connection, tenantId, at, agentId).add(column, 1).write(connection);
    update(connection, "DELETE FROM report_open_bookings WHERE tenant_id = ? AND booking_id = ?", tenantId, bookingId);
  }

  private static ReportRow row(Connection connection, String tenantId, Instant at, String agentId) throws SQLException {
    return ReportRow.of(DAYS).rollUp(MONTHS).key("tenant_id", tenantId)
        .key("report_day", ReportDays.dayOf(at, TenantZones.zone(connection, tenantId))).key("agent_id", agentId);
  }

  private static void update(Connection connection, String sql, Object... values) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) statement.setObject(i + 1, values[i]);
      statement.executeUpdate();
    }
  }
}
