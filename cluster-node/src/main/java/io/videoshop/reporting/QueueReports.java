package io.videoshop.reporting;

import io.videoshop.queue.Presence;
import io.videoshop.queue.TenantQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;

/**
 * What one queue event changes in the reports, on the projection's connection (so in the same
 * transaction as its offset). Ticket outcomes (answered, abandoned, waits) count on the day and
 * hour the shopper joined; offers, handling and presence on the day they happened.
 */
final class QueueReports {
  static final String DAYS = "report_queue_days";
  static final String MONTHS = "report_queue_months";
  static final String HOURS = "report_queue_hours";
  static final String NO_AGENT = "";
  static final String NO_LANGUAGE = "";

  private QueueReports() {}

  private record Waiting(Instant joinedAt, String language, boolean offerExpired) {}

  /**
   * {@code rows}: where the report rows' changes go (the projection's group batch); the working
   * memory (waiting tickets, presence) is written at once, as the group's next events read it.
   */
  static void apply(Connection connection, ReportRow.Writes rows, String tenantId, TenantQueue.Event event)
      throws SQLException {
    if (event instanceof TenantQueue.TicketJoined joined) {
      ZoneId zone = TenantZones.zone(connection, tenantId);
      Instant at = joined.ticket().joinedAt();
      String language = joined.ticket().details().language() == null ? NO_LANGUAGE
          : joined.ticket().details().language().toLowerCase(Locale.ROOT);
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO report_waiting_tickets (tenant_id, ticket_id, joined_at, language) VALUES (?, ?, ?, ?)")) {
        insert.setString(1, tenantId);
        insert.setString(2, joined.ticket().ticketId());
        insert.setTimestamp(3, Timestamp.from(at));
        insert.setString(4, language);
        insert.executeUpdate();
      }
      day(tenantId, ReportDays.dayOf(at, zone), NO_AGENT, language).add("queued", 1).write(rows);
      hour(tenantId, at, zone).add("queued", 1).write(rows);
    } else if (event instanceof TenantQueue.ReservationOffered offered) {
      ZoneId zone = TenantZones.zone(connection, tenantId);
      Waiting ticket = waiting(connection, tenantId, offered.reservation().ticketId());
      day(tenantId, ReportDays.dayOf(offered.reservation().offeredAt(), zone), offered.reservation().agentId(),
          ticket == null ? NO_LANGUAGE : ticket.language()).add("offers_made", 1).write(rows);
    } else if (event instanceof TenantQueue.ReservationAccepted accepted) {
      ZoneId zone = TenantZones.zone(connection, tenantId);
      Waiting ticket = waiting(connection, tenantId, accepted.ticketId());
      String language = ticket == null ? NO_LANGUAGE : ticket.language();
      day(tenantId, ReportDays.dayOf(accepted.at(), zone), accepted.agentId(), language)
          .add("offers_accepted", 1).write(rows);
      if (ticket != null) {
        long waitMs = Duration.between(ticket.joinedAt(), accepted.at()).toMillis();
        day(tenantId, ReportDays.dayOf(ticket.joinedAt(), zone), accepted.agentId(), language)
            .add("answered", 1).add("answer_wait_ms", waitMs).max("longest_wait_ms", waitMs)
            .sketch("answer_waits", waitMs / 1000).write(rows);
        hour(tenantId, ticket.joinedAt(), zone).add("answered", 1).add("answer_wait_ms", waitMs)
            .max("longest_wait_ms", waitMs).sketch("answer_waits", waitMs / 1000).write(rows);
        forget(connection, tenantId, accepted.ticketId());
      }
      presence(connection, rows, tenantId, zone, accepted.agentId(), Presence.BUSY, accepted.at());
    } else if (event instanceof TenantQueue.ReservationReleased released) {
      String column = switch (released.reason()) {
        case REJECTED -> "offers_rejected";
        case EXPIRED -> "offers_expired";
        default -> null; // withdrawn: the agent turned away, the shopper left or dropped
      };
      if (column == null) return;
      ZoneId zone = TenantZones.zone(connection, tenantId);
      Waiting ticket = waiting(connection, tenantId, released.ticketId());
      day(tenantId, ReportDays.dayOf(released.at(), zone), released.agentId(),
          ticket == null ? NO_LANGUAGE : ticket.language()).add(column, 1).write(rows);
      if (released.reason() == TenantQueue.ReleaseReason.EXPIRED && ticket != null) {
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE report_waiting_tickets SET offer_expired = TRUE WHERE tenant_id = ? AND ticket_id = ?")) {
          update.setString(1, tenantId);
          update.setString(2, released.ticketId());
          update.executeUpdate();
        }
      }
    } else if (event instanceof TenantQueue.TicketLeft left) {
      Waiting ticket = waiting(connection, tenantId, left.ticketId());
      if (ticket != null) {
        abandoned(connection, rows, tenantId, left.ticketId(), ticket,
            ticket.offerExpired() ? "abandoned_after_expiry" : "abandoned_left", left.at());
      }
    } else if (event instanceof TenantQueue.TicketAbandoned gone) {
      Waiting ticket = waiting(connection, tenantId, gone.ticketId());
      if (ticket != null) abandoned(connection, rows, tenantId, gone.ticketId(), ticket, abandonedColumn(gone), gone.at());
    } else if (event instanceof TenantQueue.AgentPresenceChanged changed) {
      presence(connection, rows, tenantId, TenantZones.zone(connection, tenantId), changed.agentId(), changed.presence(),
          changed.at());
    } else if (event instanceof TenantQueue.CallFinished finished) {
      ZoneId zone = TenantZones.zone(connection, tenantId);
      day(tenantId, ReportDays.dayOf(finished.at(), zone), finished.agentId(), NO_LANGUAGE)
          .add("handled", 1).add("handle_ms", finished.handleTime().toMillis()).write(rows);
      presence(connection, rows, tenantId, zone, finished.agentId(), Presence.AVAILABLE, finished.at());
    }
  }

  /** The queue let a ticket go: past the reconnect grace, or at the maximum wait ("timed out"). */
  static String abandonedColumn(TenantQueue.TicketAbandoned gone) {
    return gone.reason() == TenantQueue.AbandonReason.MAX_WAIT_REACHED ? "abandoned_max_wait" : "abandoned_disconnected";
  }

  private static void abandoned(Connection connection, ReportRow.Writes rows, String tenantId, String ticketId,
      Waiting ticket, String column, Instant at) throws SQLException {
    ZoneId zone = TenantZones.zone(connection, tenantId);
    long waitMs = Math.max(0, Duration.between(ticket.joinedAt(), at).toMillis());
    day(tenantId, ReportDays.dayOf(ticket.joinedAt(), zone), NO_AGENT, ticket.language()).add(column, 1)
        .max("longest_wait_ms", waitMs).sketch("abandon_waits", waitMs / 1000).write(rows);
    hour(tenantId, ticket.joinedAt(), zone).add("abandoned", 1).max("longest_wait_ms", waitMs).write(rows);
    forget(connection, tenantId, ticketId);
  }

  /** Closes the agent's current presence interval (split over the days it spans) and opens the next. */
  private static void presence(Connection connection, ReportRow.Writes rows, String tenantId, ZoneId zone,
      String agentId, Presence next, Instant at) throws SQLException {
    Presence current = null;
    Instant since = null;
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT presence, since FROM report_agent_presence WHERE tenant_id = ? AND agent_id = ? FOR UPDATE")) {
      select.setString(1, tenantId);
      select.setString(2, agentId);
      try (ResultSet rs = select.executeQuery()) {
        if (rs.next()) {
          current = Presence.valueOf(rs.getString(1));
          since = rs.getTimestamp(2).toInstant();
        }
      }
    }
    if (current != null) {
      String column = current.name().toLowerCase(Locale.ROOT) + "_ms";
      for (Map.Entry<LocalDate, Long> part : ReportDays.split(since, at, zone).entrySet()) {
        day(tenantId, part.getKey(), agentId, NO_LANGUAGE).add(column, part.getValue()).write(rows);
      }
    }
    String sql = current == null
        ? "INSERT INTO report_agent_presence (presence, since, tenant_id, agent_id) VALUES (?, ?, ?, ?)"
        : "UPDATE report_agent_presence SET presence = ?, since = ? WHERE tenant_id = ? AND agent_id = ?";
    try (PreparedStatement write = connection.prepareStatement(sql)) {
      write.setString(1, next.name());
      write.setTimestamp(2, Timestamp.from(at));
      write.setString(3, tenantId);
      write.setString(4, agentId);
      write.executeUpdate();
    }
  }

  private static Waiting waiting(Connection connection, String tenantId, String ticketId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT joined_at, language, offer_expired FROM report_waiting_tickets WHERE tenant_id = ? AND ticket_id = ?")) {
      select.setString(1, tenantId);
      select.setString(2, ticketId);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? new Waiting(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getBoolean(3)) : null;
      }
    }
  }

  private static void forget(Connection connection, String tenantId, String ticketId) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(
        "DELETE FROM report_waiting_tickets WHERE tenant_id = ? AND ticket_id = ?")) {
      delete.setString(1, tenantId);
      delete.setString(2, ticketId);
      delete.executeUpdate();
    }
  }

  private static ReportRow day(String tenantId, LocalDate day, String agentId, String language) {
    return ReportRow.of(DAYS).rollUp(MONTHS).key("tenant_id", tenantId).key("report_day", day).key("agent_id", agentId)
        .key("language", language);
  }

  private static ReportRow hour(String tenantId, Instant at, ZoneId zone) {
    return ReportRow.of(HOURS).key("tenant_id", tenantId).key("report_day", ReportDays.dayOf(at, zone))
        .key("local_hour", ReportDays.hourOf(at, zone));
  }
}
