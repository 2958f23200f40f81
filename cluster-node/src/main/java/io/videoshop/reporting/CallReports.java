package io.videoshop.reporting;

import io.videoshop.room.CallRoom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * What one room event changes in the reports. Called by {@code CallsProjection} after it updated
 * the call's row, on its connection: the same transaction as its offset, so exactly once and no
 * polling of its own. Every figure of a call counts on the day its room opened (in the tenant's
 * zone), the same day rule as the row-level list of calls.
 */
public final class CallReports {
  static final String DAYS = "report_call_days";
  static final String MONTHS = "report_call_months";
  static final String OUTCOMES = "report_call_outcomes";
  static final String OUTCOME_MONTHS = "report_call_outcome_months";

  private CallReports() {}

  private record Call(String tenantId, String agentId, LocalDate day, int addedToCart) {}

  public static void apply(Connection connection, String roomId, CallRoom.Event event) throws SQLException {
    if (!(event instanceof CallRoom.RoomOpened || event instanceof CallRoom.MinuteStarted
        || event instanceof CallRoom.ProductShown || event instanceof CallRoom.AddedToCart
        || event instanceof CallRoom.CallEnded || event instanceof CallRoom.FeedbackGiven
        || event instanceof CallRoom.WrappedUp)) {
      return;
    }
    Call call = call(connection, roomId);
    if (call == null) return;
    ReportRow row = ReportRow.of(DAYS).rollUp(MONTHS).key("tenant_id", call.tenantId()).key("report_day", call.day())
        .key("agent_id", call.agentId());
    if (event instanceof CallRoom.RoomOpened) {
      row.add("calls", 1).write(connection);
    } else if (event instanceof CallRoom.MinuteStarted) {
      row.add("billed_minutes", 1).write(connection);
    } else if (event instanceof CallRoom.ProductShown) {
      row.add("products_shown", 1).write(connection);
    } else if (event instanceof CallRoom.AddedToCart) {
      // The calls row already counts this add: the call's first add makes it a call with an add-to-cart.
      if (call.addedToCart() == 1) row.add("calls_with_cart", 1).write(connection);
    } else if (event instanceof CallRoom.CallEnded ended) {
      row.add("ended", 1).add("talk_seconds", ended.durationSeconds()).sketch("talk_durations", ended.durationSeconds())
          .write(connection);
      outcome(call, "end-reason", ended.reason()).write(connection);
    } else if (event instanceof CallRoom.FeedbackGiven feedback) {
      row.add("rated", 1).add("rating_sum", feedback.rating()).add("rated_4_5", feedback.rating() >= 4 ? 1 : 0)
          .write(connection);
    } else if (event instanceof CallRoom.WrappedUp wrapUp) {
      outcome(call, "outcome", wrapUp.outcome()).write(connection);
    }
  }

  private static ReportRow outcome(Call call, String dimension, String value) {
    return ReportRow.of(OUTCOMES).rollUp(OUTCOME_MONTHS).key("tenant_id", call.tenantId()).key("report_day", call.day())
        .key("agent_id", call.agentId()).key("dimension", dimension).key("dimension_value", value == null ? "" : value)
        .add("calls", 1);
  }

  private static Call call(Connection connection, String roomId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT tenant_id, agent_id, created_at, added_to_cart FROM calls WHERE room_id = ?")) {
      select.setString(1, roomId);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) return null;
        String tenantId = rs.getString(1);
        Instant createdAt = rs.getTimestamp(3).toInstant();
        return new Call(tenantId, rs.getString(2),
            ReportDays.dayOf(createdAt, TenantZones.zone(connection, tenantId)), rs.getInt(4));
      }
    }
  }
}
