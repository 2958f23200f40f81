package io.videoshop.scheduling;

import io.videoshop.projection.ProjectionDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Projects every calendar's booking events into {@code bookings}, exactly once (rows and offset in
 * one transaction), one instance per event tag spread over the cluster, and in the same
 * transaction queues the booking's mails and reminders in the outbox ({@link BookingMails}).
 */
public final class BookingsProjection {
  public static final String NAME = "bookings";

  private BookingsProjection() {}

  public static void init(ActorSystem<?> system, BookingMails mails) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "BookingsProjection",
        BookingCalendar.TAG_COUNT,
        index -> ProjectionBehavior.create(projection(system, database, BookingCalendar.TAGS.get(index), mails)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  static GroupedProjection<Offset, EventEnvelope<BookingCalendar.Event>> projection(
      ActorSystem<?> system, ProjectionDatabase database, String tag, BookingMails mails) {
    return database.exactlyOnce(system, NAME, tag, () -> new Handler(mails));
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<BookingCalendar.Event>, ProjectionDatabase.Session> {
    private final BookingMails mails;

    Handler(BookingMails mails) {
      this.mails = mails;
    }

    @Override
    public void process(ProjectionDatabase.Session session, EventEnvelope<BookingCalendar.Event> envelope)
        throws Exception {
      String tenantId = PersistenceId.extractEntityId(envelope.persistenceId());
      BookingCalendar.Event event = envelope.event();
      session.withConnection(connection -> {
        if (event instanceof BookingCalendar.BookingMade made) {
          BookingCalendar.Booking b = made.booking();
          update(connection, """
              INSERT INTO bookings (booking_id, tenant_id, agent_id, agent_chosen, starts_at, ends_at, status,
                sequence_nr, subject_id, name_ciphertext, email_ciphertext, product_interest, shopper_time_zone,
                created_at, updated_at, language)
              VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
              b.id(), tenantId, b.agentId(), b.agentChosen(), Timestamp.from(b.start()), Timestamp.from(b.end()),
              b.sequence(), b.details().subjectId(), b.details().name().ciphertext(), b.details().email().ciphertext(),
              b.details().productInterest(), b.details().shopperTimeZone(), Timestamp.from(b.createdAt()),
              Timestamp.from(made.at()), b.details().language());
        } else if (event instanceof BookingCalendar.BookingRescheduled moved) {
          update(connection, """
              UPDATE bookings SET agent_id = ?, starts_at = ?, ends_at = ?, sequence_nr = ?, updated_at = ?
              WHERE booking_id = ? AND tenant_id = ?""", moved.agentId(), Timestamp.from(moved.start()),
              Timestamp.from(moved.end()), moved.sequence(), Timestamp.from(moved.at()), moved.bookingId(), tenantId);
        } else if (event instanceof BookingCalendar.BookingReassigned reassigned) {
          update(connection, """
              UPDATE bookings SET agent_id = ?, sequence_nr = ?, updated_at = ? WHERE booking_id = ? AND tenant_id = ?""",
              reassigned.toAgentId(), reassigned.sequence(), Timestamp.from(reassigned.at()), reassigned.bookingId(),
              tenantId);
        } else if (event instanceof BookingCalendar.BookingDetailsCorrected corrected) {
          BookingDetails details = corrected.details();
          update(connection, """
              UPDATE bookings SET name_ciphertext = ?, email_ciphertext = ?, product_interest = ?, shopper_time_zone = ?,
                updated_at = ? WHERE booking_id = ? AND tenant_id = ?""", details.name().ciphertext(),
              details.email().ciphertext(), details.productInterest(), details.shopperTimeZone(),
              Timestamp.from(corrected.at()), corrected.bookingId(), tenantId);
        } else if (event instanceof BookingCalendar.BookingCancelled cancelled) {
          update(connection, """
              UPDATE bookings SET status = 'cancelled', sequence_nr = ?, cancel_reason = ?, updated_at = ?
              WHERE booking_id = ? AND tenant_id = ?""", cancelled.sequence(), cancelled.reason(),
              Timestamp.from(cancelled.at()), cancelled.bookingId(), tenantId);
        } else if (event instanceof BookingCalendar.BookingOutcomeRecorded recorded) {
          update(connection, """
              UPDATE bookings SET status = ?, room_id = ?, updated_at = ? WHERE booking_id = ? AND tenant_id = ?""",
              recorded.outcome().name().toLowerCase(java.util.Locale.ROOT), recorded.roomId(),
              Timestamp.from(recorded.at()), recorded.bookingId(), tenantId);
        }
        // The booking's mails and reminders, in the same transaction as its row and the offset.
        mails.process(connection, tenantId, event);
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
