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
   * The queue rows of a range. {@code perDay} false (the per-agent table): the counters are summed
   * by the database, one row per agent and span, and the sketches come in narrow rows of their
   * own. {@code rollUps}: whole months of the range are read from the month roll-ups (a row then
   * stands for its month and carries the month's first day), only the days at the edges from the
   * day table (docs/reporting.md, "Roll-ups").
   */
  List<DayRow> queueDays(String tenantId, LocalDate from, LocalDate to, Optional<String> agent,
      Optional<String> language, boolean perDay, boolean rollUps) {
    List<DayRow> rows = new ArrayList<>();
    for (ReportDays.Span span : ReportDays.spans(from, to, rollUps)) {
      String where = " FROM " + (span.months() ? QueueReports.MONTHS : QueueReports.DAYS)
          + " WHERE tenant_id = :t AND report_day >= :from AND report_day <= :to"
          + agent.map(a -> " AND agent_id = :agent").orElse("")
          + language.map(l -> " AND language = :language").orElse("");
      // Month rows are few (a year: 12 per agent): fetched whole in one query, summed in the JVM.
      if (perDay || span.months()) {
        rows.addAll(rows("SELECT *" + where, tenantId, span, agent, language, ReportStore::queueFigures));
        continue;
      }
      rows.addAll(rows("SELECT agent_id, MIN(report_day) AS report_day, " + sums(QUEUE_COUNTS)
          + ", MAX(longest_wait_ms) AS longest_wait_ms, NULL AS answer_waits, NULL AS abandon_waits" + where
          + " GROUP BY agent_id", tenantId, span, agent, language, ReportStore::queueFigures));
      rows.addAll(rows("SELECT agent_id, report_day, answer_waits, abandon_waits" + where
          + " AND (answer_waits IS NOT NULL OR abandon_waits IS NOT NULL)", tenantId, span, agent, language, rs -> {
            Figures f = new Figures();
            f.answerWaits.addEncoded(rs.getString("answer_waits"));
            f.abandonWaits.addEncoded(rs.getString("abandon_waits"));
            return f;
          }));
    }
    return rows;
  }

  List<DayRow> callDays(String tenantId, LocalDate from, LocalDate to, Optional<String> agent, boolean perDay,
      boolean rollUps) {
    List<DayRow> rows = new ArrayList<>();
    for (ReportDays.Span span : ReportDays.spans(from, to, rollUps)) {
      String where = " FROM " + (span.months() ? CallReports.MONTHS : CallReports.DAYS)
          + " WHERE tenant_id = :t AND report_day >= :from AND report_day <= :to"
          + agent.map(a -> " AND agent_id = :agent").orElse("");
      if (perDay || span.months()) {
        rows.addAll(rows("SELECT *" + where, tenantId, span, agent, Optional.empty(), ReportStore::callFigures));
        continue;
      }
      rows.addAll(rows("SELECT agent_id, MIN(report_day) AS report_day, " + sums(CALL_COUNTS)
          + ", NULL AS talk_durations" + where + " GROUP BY agent_id", tenantId, span, agent, Optional.empty(),
          ReportStore::callFigures));
      rows.addAll(rows("SELECT agent_id, report_day, talk_durations" + where + " AND talk_durations IS NOT NULL",
          tenantId, span, agent, Optional.empty(), rs -> {
            Figures f = new Figures();
            f.talkDurations.addEncoded(rs.getString("talk_durations"));
            return f;
          }));
    }
    return rows;
  }

  /** Bookings made and ended, per day (or month, with roll-ups) and agent. */
  List<DayRow> bookingDays(String tenantId, LocalDate from, LocalDate to, Optional<String> agent, boolean rollUps) {
    List<DayRow> rows = new ArrayList<>();
    for (ReportDays.Span span : ReportDays.spans(from, to, rollUps)) {
      rows.addAll(rows("SELECT * FROM " + (span.months() ? BookingReports.MONTHS : BookingReports.DAYS)
          + " WHERE tenant_id = :t AND report_day >= :from AND report_day <= :to"
          + agent.map(a -> " AND agent_id = :agent").orElse(""), tenantId, span, agent, Optional.empty(), rs -> {
            Figures f = new Figures();
            f.bookingsMade = rs.getLong("bookings_made");
            f.bookingsAttended = rs.getLong("bookings_attended");
            f.bookingsNoShow = rs.getLong("bookings_no_show");
            f.bookingsMissed = rs.getLong("bookings_missed");
            f.bookingsCancelled = rs.getLong("bookings_cancelled");
            return f;
          }));
    }
    return rows;
  }

  @FunctionalInterface
  private interface FiguresReader {
    Figures read(ResultSet rs) throws SQLException;
  }

  private List<DayRow> rows(String sql, String tenantId, ReportDays.Span span, Optional<String> agent,
      Optional<String> language, FiguresReader reader) {
    return jdbi.withHandle(handle -> {
      Query query = handle.createQuery(sql).bind("t", tenantId).bind("from", span.from()).bind("to", span.to());
      agent.ifPresent(a -> query.bind("agent", a));
      language.ifPresent(l -> query.bind("language", l));
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

  /** Calls by outcome and end reason over the range, whole months from the roll-up. */
  List<OutcomeRow> outcomes(String tenantId, LocalDate from, LocalDate to, Optional<String> agent) {
    java.util.Map<List<String>, Long> sums = new java.util.TreeMap<>(
        java.util.Comparator.<List<String>, String>comparing(k -> k.get(0)).thenComparing(k -> k.get(1)));
    for (ReportDays.Span span : ReportDays.spans(from, to, true)) {
      String sql = "SELECT dimension, dimension_value, SUM(calls) AS calls FROM "
          + (span.months() ? CallReports.OUTCOME_MONTHS : CallReports.OUTCOMES)
          + " WHERE tenant_id = :t AND report_day >= :from AND report_day <= :to"
          + agent.map(a -> " AND agent_id = :agent").orElse("") + " GROUP BY dimension, dimension_value";
      jdbi.useHandle(handle -> {
        Query query = handle.createQuery(sql).bind("t", tenantId).bind("from", span.from()).bind("to", span.to());
        agent.ifPresent(a -> query.bind("agent", a));
        query.map((rs, ctx) -> new OutcomeRow(rs.getString(1), rs.getString(2), rs.getLong(3))).list()
            .forEach(row -> sums.merge(List.of(row.dimension(), row.value()), row.calls(), Long::sum));
      });
    }
    List<OutcomeRow> rows = new ArrayList<>();
    sums.forEach((key, calls) -> rows.add(new OutcomeRow(key.get(0), key.get(1), calls)));
    return rows;
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
