package io.videoshop.scheduling;

import io.videoshop.notification.Outbox;
import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.push.AgentPushes;
import io.videoshop.push.PushOutbox;
import io.videoshop.queue.Ticket;
import io.videoshop.queue.TenantQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the queue's events mean for bookings, read by tag from every {@link TenantQueue} (exactly
 * once: each event's rows and the offset in one transaction):
 *
 * <ul>
 *   <li>a booked shopper's ticket joined ({@code TicketJoined} with its {@link Ticket.Booked}):
 *       the calendar is told the shopper arrived (so the booking is no no-show), the ticket is
 *       remembered ({@code booked_tickets}), and the booked agent's browsers get a push "your
 *       booked shopper is here", its TTL the time the shopper is held for that agent;
 *   <li>that ticket's offer accepted ({@code ReservationAccepted}): the calendar records the
 *       booking attended with the call's room id;
 *   <li>that ticket gone without a call ({@code TicketLeft}, {@code TicketAbandoned}): the calendar
 *       is told the shopper left (after the booking's end that makes it missed; before, its missed
 *       check at the end decides, unless the shopper comes back).
 * </ul>
 *
 * <p>The calendar is asked inside the handler (on the projection's JDBC dispatcher) and before the
 * offset is committed: a calendar that does not answer fails the event, the projection restarts
 * from the last offset and asks again. Both commands are idempotent in the calendar (an arrival
 * is recorded once, an outcome once), so a repeated ask changes nothing. Events older than a day
 * do nothing (a projection replaying an old journal).
 */
public final class BookedArrivalsProjection {
  public static final String NAME = "booked-arrivals";
  static final Duration TOO_OLD = Duration.ofDays(1);
  static final Duration KEPT = Duration.ofDays(2);
  private static final Logger log = LoggerFactory.getLogger(BookedArrivalsProjection.class);

  private BookedArrivalsProjection() {}

  public static void init(ActorSystem<?> system, BookingCalendars calendars, Duration askTimeout, Outbox outbox,
      Clock clock, Runnable afterEnqueue) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "BookedArrivalsProjection",
        TenantQueue.TAG_COUNT,
        index -> ProjectionBehavior.create(database.<TenantQueue.Event>exactlyOnce(system, NAME,
            TenantQueue.TAGS.get(index), () -> new Handler(calendars, askTimeout, outbox, clock, afterEnqueue))),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<TenantQueue.Event>, ProjectionDatabase.Session> {
    private final BookingCalendars calendars;
    private final Duration askTimeout;
    private final Outbox outbox;
    private final Clock clock;
    private final Runnable afterEnqueue;

    Handler(BookingCalendars calendars, Duration askTimeout, Outbox outbox, Clock clock, Runnable afterEnqueue) {
      this.calendars = calendars;
      this.askTimeout = askTimeout;
      this.outbox = outbox;
      this.clock = clock;
      this.afterEnqueue = afterEnqueue;
    }

    @Override
    public void process(ProjectionDatabase.Session session, EventEnvelope<TenantQueue.Event> envelope) throws Exception {
      String tenantId = PersistenceId.extractEntityId(envelope.persistenceId());
      Instant now = clock.instant();
      if (envelope.event() instanceof TenantQueue.TicketJoined joined && joined.ticket().booking() != null) {
        Ticket ticket = joined.ticket();
        if (ticket.joinedAt().isBefore(now.minus(TOO_OLD))) return;
        Ticket.Booked booked = ticket.booking();
        ask(tenantId, booked.bookingId(), replyTo -> new BookingCalendar.ShopperArrived(booked.bookingId(), replyTo));
        int queued = session.withConnection(connection -> {
          remember(connection, tenantId, ticket.ticketId(), booked.bookingId(), ticket.joinedAt(), now);
          Duration heldFor = Duration.between(now, booked.agentOnlyUntil());
          if (heldFor.isNegative() || heldFor.isZero()) return 0;
          return PushOutbox.enqueue(outbox, connection, "booked_arrival", tenantId, booked.agentId(),
              AgentPushes.bookedShopperArrived(booked.bookingId(), heldFor), booked.agentOnlyUntil(),
              "push:arrived:" + booked.bookingId() + ":" + ticket.ticketId());
        });
        if (queued > 0) afterEnqueue.run();
      } else if (envelope.event() instanceof TenantQueue.ReservationAccepted accepted) {
        if (accepted.at().isBefore(now.minus(TOO_OLD))) return;
        String bookingId = session.withConnection(connection -> bookingOf(connection, tenantId, accepted.ticketId()));
        if (bookingId == null) return; // a walk-in
        ask(tenantId, bookingId, replyTo -> new BookingCalendar.RecordOutcome(bookingId,
            BookingCalendar.Outcome.ATTENDED, accepted.roomId(), null, replyTo));
      } else if (envelope.event() instanceof TenantQueue.TicketLeft left) {
        leftWithoutCall(session, tenantId, left.ticketId(), left.at(), now);
      } else if (envelope.event() instanceof TenantQueue.TicketAbandoned abandoned) {
        leftWithoutCall(session, tenantId, abandoned.ticketId(), abandoned.at(), now);
      }
    }

    private void leftWithoutCall(ProjectionDatabase.Session session, String tenantId, String ticketId, Instant at,
        Instant now) throws Exception {
      if (at.isBefore(now.minus(TOO_OLD))) return;
      String bookingId = session.withConnection(connection -> bookingOf(connection, tenantId, ticketId));
      if (bookingId == null) return; // a walk-in
      ask(tenantId, bookingId, replyTo -> new BookingCalendar.ShopperLeft(bookingId, replyTo));
    }

    /** Asks and waits (this is the projection's blocking dispatcher); a refusal is the calendar's last word. */
    private void ask(String tenantId, String bookingId,
        Function<ActorRef<BookingCalendar.BookingReply>, BookingCalendar.Command> command) throws Exception {
      BookingCalendar.BookingReply reply = calendars.ask(tenantId, command)
          .toCompletableFuture().get(askTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      if (reply instanceof BookingCalendar.Refused refused) {
        // Cancelled meanwhile, recorded already (by the agent, or this event again), gone from the state.
        log.debug("Booking {} of tenant {}: {}", bookingId, tenantId, refused.reason().code());
      }
    }
  }

  private static void remember(Connection connection, String tenantId, String ticketId, String bookingId,
      Instant joinedAt, Instant now) throws SQLException {
    try (PreparedStatement old = connection.prepareStatement("DELETE FROM booked_tickets WHERE joined_at < ?")) {
      old.setTimestamp(1, Timestamp.from(now.minus(KEPT)));
      old.executeUpdate();
    }
    if (bookingOf(connection, tenantId, ticketId) != null) return;
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO booked_tickets (tenant_id, ticket_id, booking_id, joined_at) VALUES (?, ?, ?, ?)")) {
      insert.setString(1, tenantId);
      insert.setString(2, ticketId);
      insert.setString(3, bookingId);
      insert.setTimestamp(4, Timestamp.from(joinedAt));
      insert.executeUpdate();
    }
  }

  private static String bookingOf(Connection connection, String tenantId, String ticketId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT booking_id FROM booked_tickets WHERE tenant_id = ? AND ticket_id = ?")) {
      select.setString(1, tenantId);
      select.setString(2, ticketId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }
}
