package io.videoshop.reporting;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** Reads the reporting tables (and the calls table for the row-level list). Blocking: JDBC. */
public final class ReportStore {
  private final Jdbi jdbi;

  ReportStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** One pre-aggregated row's figures: a day, an agent ("" for tickets no agent took). */
  public record DayRow(LocalDate day, String agentId, Figures figures) {}

  public record HourRow(LocalDate day, int hour, long queued, long answered, long abandoned, long answerWaitMs,
      long longestWaitMs, DurationSketch answerWaits) {}

  public record OutcomeRow(String dimension, String value, long calls) {}

  /** A call as the row-level list shows it: counts and durations, no personal data. */
  public record CallRow(String roomId, String agentId, String status, Instant createdAt, Instant startedAt, Instant endedAt,
      Long durationSeconds, String endReason, long minutes, int productsShown, int addedToCart, Integer rating,
      String outcome) {}

  ZoneId zone(String tenantId) {
    Optional<ZoneId> remembered = TenantZones.remembered(tenantId);
    if (remembered.isPresent()) return remembered.get();
    return jdbi.withHandle(handle -> {
      try {
        return TenantZones.zone(handle.getConnection(), tenantId);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read the time zone of tenant " + tenantId, e);
      }
    });
  }

  boolean exists(String tenantId) {
    return jdbi.withHandle(handle -> handle.createQuery("SELECT 1 FROM tenants WHERE id = :t").bind("t", tenantId)
        .mapTo(Integer.class).findOne().isPresent());
  }

  Optional<Integer> serviceLevelSeconds(String tenantId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT service_level_seconds FROM report_settings WHERE tenant_id = :t")
        .bind("t", tenantId).mapTo(Integer.class).findOne());
  }

  void setServiceLevelSeconds(String tenantId, int seconds) {
    jdbi.useTransaction(handle -> {
      int updated = handle.createUpdate("UPDATE report_settings SET service_level_seconds = :s WHERE tenant_id = :t")
          .bind("s", seconds).bind("t", tenantId).execute();
      if (updated == 0) {
        handle.createUpdate("INSERT INTO report_settings (tenant_id, service_level_seconds) VALUES (:t, :s)")
            .bind("s", seconds).bind("t", tenantId).execute();
      }
    });
  }

  private static final List<String> QUEUE_COUNTS = List.of("queued", "answered", "abandoned_left",
      "abandoned_after_expiry", "abandoned_max_wait", "abandoned_disconnected", "answer_wait_ms", "offers_made",
      "offers_accepted", "offers_rejected", "offers_expired", "handled", "handle_ms", "available_ms", "busy_ms",
      "away_ms", "offline_ms");
  private static final List<String> CALL_COUNTS = List.of("calls", "ended", "talk_seconds", "billed_minutes", "rated",
      "rating_sum", "rated_4_5", "products_shown", "calls_with_cart");

  /**
   * The queue rows of a range, in one statement. {@code perDay} false (the per-agent table): the
   * database sums the counters and joins the encoded sketches (read as their merge, see
   * {@link DurationSketch#decode}) into one row per agent. {@code rollUps}: whole months of the
   * range are read from the month roll-ups (a row then stands for its month and carries the
   * month's first day), only the days at the edges from the day table (docs/reporting.md,
   * "Roll-ups"): the spans are one UNION ALL.
   */
  List<DayRow> queueDays(String tenantId, LocalDate from, LocalDate to, Optional<String> agent,
      Optional<String> language, boolean perDay, boolean rollUps) {
    Spans rows = spans(QueueReports.DAYS, QueueReports.MONTHS, "agent_id, report_day, " + String.join(", ", QUEUE_COUNTS)
        + ", longest_wait_ms, answer_waits, abandon_waits", tenantId, from, to, agent, language, rollUps);
    String sql = perDay ? rows.sql() : "SELECT agent_id, MIN(report_day) AS report_day, " + sums(QUEUE_COUNTS)
        + ", MAX(longest_wait_ms) AS longest_wait_ms, " + joined("answer_waits") + ", " + joined("abandon_waits")
        + " FROM (" + rows.sql() + ") r GROUP BY agent_id";
    return rows(sql, rows.values(), ReportStore::queueFigures);
  }

  List<DayRow> callDays(String tenantId, LocalDate from, LocalDate to, Optional<String> agent, boolean perDay,
      boolean rollUps) {
    Spans rows = spans(CallReports.DAYS, CallReports.MONTHS, "agent_id, report_day, " + String.join(", ", CALL_COUNTS)
        + ", talk_durations", tenantId, from, to, agent, Optional.empty(), rollUps);
    String sql = perDay ? rows.sql() : "SELECT agent_id, MIN(report_day) AS report_day, " + sums(CALL_COUNTS) + ", "
        + joined("talk_durations") + " FROM (" + rows.sql() + ") r GROUP BY agent_id";
    return rows(sql, rows.values(), ReportStore::callFigures);
  }

  private static final List<String> BOOKING_COUNTS = List.of("bookings_made", "bookings_attended", "bookings_no_show",
      "bookings_missed", "bookings_cancelled");

  /** Bookings made and ended, per day (or month, with roll-ups) and agent; summed per agent without {@code perDay}. */
  List<DayRow> bookingDays(String tenantId, LocalDate from, LocalDate to, Optional<String> agent, boolean perDay,
      boolean rollUps) {
    Spans rows = spans(BookingReports.DAYS, BookingReports.MONTHS, "agent_id, report_day, "
        + String.join(", ", BOOKING_COUNTS), tenantId, from, to, agent, Optional.empty(), rollUps);
    String sql = perDay ? rows.sql() : "SELECT agent_id, MIN(report_day) AS report_day, " + sums(BOOKING_COUNTS)
        + " FROM (" + rows.sql() + ") r GROUP BY agent_id";
    return rows(sql, rows.values(), rs -> {
      Figures f = new Figures();
      f.bookingsMade = rs.getLong("bookings_made");
      f.bookingsAttended = rs.getLong("bookings_attended");
      f.bookingsNoShow = rs.getLong("bookings_no_show");
      f.bookingsMissed = rs.getLong("bookings_missed");
      f.bookingsCancelled = rs.getLong("bookings_cancelled");
      return f;
    });
  }

  /** A range's rows as one statement: a SELECT per span (month roll-ups or days), joined by UNION ALL. */
  private record Spans(String sql, List<Object> values) {}

  private static Spans spans(String dayTable, String monthTable, String columns, String tenantId, LocalDate from,
      LocalDate to, Optional<String> agent, Optional<String> language, boolean rollUps) {
    List<String> selects = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (ReportDays.Span span : ReportDays.spans(from, to, rollUps)) {
      selects.add("SELECT " + columns + " FROM " + (span.months() ? monthTable : dayTable)
          + " WHERE tenant_id = ? AND report_day >= ? AND report_day <= ?"
          + agent.map(a -> " AND agent_id = ?").orElse("") + language.map(l -> " AND language = ?").orElse(""));
      values.add(tenantId);
      values.add(span.from());
      values.add(span.to());
      agent.ifPresent(values::add);
      language.ifPresent(values::add);
    }
    return new Spans(String.join(" UNION ALL ", selects), values);
  }

  /** The encoded sketches of a group, comma-joined: {@link DurationSketch.Sum#addEncoded} reads them as their merge. */
  private static String joined(String column) {
    return "STRING_AGG(" + column + ", ',') AS " + column;
  }

  @FunctionalInterface
  private interface FiguresReader {
    Figures read(ResultSet rs) throws SQLException;
  }

  private List<DayRow> rows(String sql, List<Object> values, FiguresReader reader) {
    return jdbi.withHandle(handle -> {
      Query query = handle.createQuery(sql);
      for (int i = 0; i < values.size(); i++) query.bind(i, values.get(i));
      return query.map((rs, ctx) -> new DayRow(rs.getObject("report_day", LocalDate.class), rs.getString("agent_id"),
          reader.read(rs))).list();
    });
  }

  private static String sums(List<String> columns) {
    return String.join(", ", columns.stream().map(c -> "SUM(" + c + ") AS " + c).toList());
  }

  /** Debited minutes and their cost per day, as rows of no agent. */
  List<DayRow> costDays(String tenantId, LocalDate from, LocalDate to) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM report_cost_days WHERE tenant_id = :t AND report_day >= :from AND report_day <= :to")
        .bind("t", tenantId).bind("from", from).bind("to", to)
        .map((rs, ctx) -> {
          Figures f = new Figures();
          f.debitedMinutes = rs.getLong("debited_minutes");
          f.includedMinutes = rs.getLong("included_minutes");
          f.cost = rs.getLong("cost");
          return new DayRow(rs.getObject("report_day", LocalDate.class), "", f);
        }).list());
  }

  /** Calls by outcome and end reason over the range, whole months from the roll-up, in one statement. */
  List<OutcomeRow> outcomes(String tenantId, LocalDate from, LocalDate to, Optional<String> agent) {
    Spans rows = spans(CallReports.OUTCOMES, CallReports.OUTCOME_MONTHS, "dimension, dimension_value, calls", tenantId,
        from, to, agent, Optional.empty(), true);
    return jdbi.withHandle(handle -> {
      Query query = handle.createQuery("SELECT dimension, dimension_value, SUM(calls) AS calls FROM (" + rows.sql()
          + ") r GROUP BY dimension, dimension_value");
      for (int i = 0; i < rows.values().size(); i++) query.bind(i, rows.values().get(i));
      List<OutcomeRow> out = new ArrayList<>(
          query.map((rs, ctx) -> new OutcomeRow(rs.getString(1), rs.getString(2), rs.getLong(3))).list());
      out.sort(java.util.Comparator.comparing(OutcomeRow::dimension).thenComparing(OutcomeRow::value));
      return out;
    });
  }

  List<HourRow> hours(String tenantId, LocalDate from, LocalDate to) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM report_queue_hours WHERE tenant_id = :t AND report_day >= :from AND report_day <= :to")
        .bind("t", tenantId).bind("from", from).bind("to", to)
        .map((rs, ctx) -> new HourRow(rs.getObject("report_day", LocalDate.class), rs.getInt("local_hour"), rs.getLong("queued"),
            rs.getLong("answered"), rs.getLong("abandoned"), rs.getLong("answer_wait_ms"),
            rs.getLong("longest_wait_ms"), DurationSketch.decode(rs.getString("answer_waits")))).list());
  }

  /** Calls whose room opened in [from, to), oldest first. */
  List<CallRow> calls(String tenantId, Instant from, Instant to, Optional<String> agent, Optional<String> outcome,
      int limit, int offset) {
    StringBuilder sql = new StringBuilder(
        "SELECT * FROM calls WHERE tenant_id = :t AND created_at >= :from AND created_at < :to");
    agent.ifPresent(a -> sql.append(" AND agent_id = :agent"));
    outcome.ifPresent(o -> sql.append(" AND outcome = :outcome"));
    sql.append(" ORDER BY created_at, room_id LIMIT :limit OFFSET :offset");
    return jdbi.withHandle(handle -> {
      Query query = handle.createQuery(sql.toString()).bind("t", tenantId).bind("from", from).bind("to", to)
          .bind("limit", limit).bind("offset", offset);
      agent.ifPresent(a -> query.bind("agent", a));
      outcome.ifPresent(o -> query.bind("outcome", o));
      return query.map((rs, ctx) -> new CallRow(rs.getString("room_id"), rs.getString("agent_id"),
          rs.getString("status"), instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "ended_at"),
          rs.getObject("duration_seconds", Long.class), rs.getString("end_reason"), rs.getLong("minutes"),
          rs.getInt("products_shown"), rs.getInt("added_to_cart"), rs.getObject("rating", Integer.class),
          rs.getString("outcome"))).list();
    });
  }

  private static Figures queueFigures(ResultSet rs) throws SQLException {
    Figures f = new Figures();
    f.queued = rs.getLong("queued");
    f.answered = rs.getLong("answered");
    f.abandonedLeft = rs.getLong("abandoned_left");
    f.abandonedAfterExpiry = rs.getLong("abandoned_after_expiry");
    f.abandonedMaxWait = rs.getLong("abandoned_max_wait");
    f.abandonedDisconnected = rs.getLong("abandoned_disconnected");
    f.answerWaitMs = rs.getLong("answer_wait_ms");
    f.longestWaitMs = rs.getLong("longest_wait_ms");
    f.answerWaits.addEncoded(rs.getString("answer_waits"));
    f.abandonWaits.addEncoded(rs.getString("abandon_waits"));
    f.offersMade = rs.getLong("offers_made");
    f.offersAccepted = rs.getLong("offers_accepted");
    f.offersRejected = rs.getLong("offers_rejected");
    f.offersExpired = rs.getLong("offers_expired");
    f.handled = rs.getLong("handled");
    f.handleMs = rs.getLong("handle_ms");
    f.availableMs = rs.getLong("available_ms");
    f.busyMs = rs.getLong("busy_ms");
    f.awayMs = rs.getLong("away_ms");
    f.offlineMs = rs.getLong("offline_ms");
    return f;
  }

  private static Figures callFigures(ResultSet rs) throws SQLException {
    Figures f = new Figures();
    f.calls = rs.getLong("calls");
    f.ended = rs.getLong("ended");
    f.talkSeconds = rs.getLong("talk_seconds");
    f.talkDurations.addEncoded(rs.getString("talk_durations"));
    f.billedMinutes = rs.getLong("billed_minutes");
    f.rated = rs.getLong("rated");
    f.ratingSum = rs.getLong("rating_sum");
    f.rated45 = rs.getLong("rated_4_5");
    f.productsShown = rs.getLong("products_shown");
    f.callsWithCart = rs.getLong("calls_with_cart");
    return f;
  }

  /**
   * The tenant's figures of this moment, from the queue projection's working memory (tickets
   * waiting, each agent's presence) and the calls read side: about a second behind the entities.
   */
  Reports.Live live(String tenantId, Instant now) {
    return jdbi.withHandle(handle -> {
      Instant oldest = handle.createQuery("SELECT min(joined_at) AS oldest FROM report_waiting_tickets WHERE tenant_id = :t")
          .bind("t", tenantId).map((rs, ctx) -> instant(rs, "oldest")).findOne().orElse(null);
      int waiting = handle.createQuery("SELECT count(*) FROM report_waiting_tickets WHERE tenant_id = :t")
          .bind("t", tenantId).mapTo(Integer.class).one();
      List<Reports.AgentPresence> agents = handle.createQuery(
              "SELECT agent_id, presence, since FROM report_agent_presence WHERE tenant_id = :t ORDER BY agent_id")
          .bind("t", tenantId).map((rs, ctx) -> new Reports.AgentPresence(rs.getString("agent_id"),
              rs.getString("presence").toLowerCase(java.util.Locale.ROOT),
              instant(rs, "since"))).list();
      java.util.Map<String, Integer> presence = new java.util.TreeMap<>();
      for (Reports.AgentPresence agent : agents) presence.merge(agent.presence(), 1, Integer::sum);
      int inCall = handle.createQuery("SELECT count(*) FROM calls WHERE tenant_id = :t AND status = 'in-call'")
          .bind("t", tenantId).mapTo(Integer.class).one();
      Long longest = oldest == null ? null : Math.max(0, now.toEpochMilli() - oldest.toEpochMilli());
      return new Reports.Live(tenantId, now, waiting, longest, presence, inCall, agents);
    });
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    java.sql.Timestamp value = rs.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }
}
