package io.videoshop.reporting;

import io.videoshop.config.ReportingSettings;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The reports a tenant reads: a summary in day, week or month buckets, a per-agent table, the
 * hour-of-week heat map and the row-level list of calls, all from the same pre-aggregated rows so
 * their totals agree (docs/reporting.md). Blocking: call on the blocking dispatcher.
 */
public final class Reports {
  /** The most calls one page of the list, or one CSV export of it, holds. */
  public static final int MAX_CALL_ROWS = 100_000;

  private final ReportStore store;
  private final ReportingSettings settings;

  public Reports(Jdbi jdbi, ReportingSettings settings) {
    this.store = new ReportStore(jdbi);
    this.settings = settings;
  }

  public ReportingSettings settings() {
    return settings;
  }

  public record Bucket(LocalDate from, LocalDate to, Figures.View figures) {}

  public record Summary(String tenantId, LocalDate from, LocalDate to, String timeZone, String bucket,
      Map<String, String> filters, List<Bucket> buckets, Figures.View total, Map<String, Map<String, Long>> callsBy) {}

  /** agentId null: tickets no agent took (queued, abandoned), so the rows add up to the total. */
  public record AgentRow(String agentId, Figures.View figures) {}

  public record AgentTable(String tenantId, LocalDate from, LocalDate to, Map<String, String> filters,
      List<AgentRow> agents, Figures.View total) {}

  public record HeatCell(int dayOfWeek, int hour, long queued, long answered, long abandoned, Long averageWaitMs,
      long longestWaitMs, Double serviceLevel) {}

  public record HeatMap(String tenantId, LocalDate from, LocalDate to, int serviceLevelSeconds, List<HeatCell> cells) {}

  public record CallList(String tenantId, LocalDate from, LocalDate to, List<ReportStore.CallRow> items,
      Integer nextOffset) {}

  public record ServiceLevel(int serviceLevelSeconds) {}

  /** This moment: shoppers waiting and the longest wait among them, agents by presence, calls in progress. */
  public record Live(String tenantId, Instant at, int waiting, Long longestWaitMs, Map<String, Integer> agentsByPresence,
      int callsInProgress, List<AgentPresence> agents) {}

  /** An agent's presence as the queue last reported it, and since when. */
  public record AgentPresence(String agentId, String presence, Instant since) {}

  public Live live(String tenantId, Instant now) {
    return store.live(tenantId, now);
  }

  /** The report a caller asks for, read from the query parameters (dates are the tenant's local days). */
  public ReportQuery query(io.videoshop.domain.Caller caller, String tenantId,
      java.util.function.Function<String, Optional<String>> parameter) {
    knownTenant(tenantId);
    return ReportQuery.parse(caller, tenantId, parameter, settings.maxRangeDays(),
        LocalDate.now(store.zone(tenantId)));
  }

  private void knownTenant(String tenantId) {
    if (!store.exists(tenantId)) {
      throw new ReportQueryException(ReportQueryException.Kind.NOT_FOUND, "tenant_not_found", "No tenant " + tenantId);
    }
  }

  public int serviceLevelSeconds(String tenantId) {
    knownTenant(tenantId);
    return serviceLevel(tenantId);
  }

  /** The tenant's T, for a query {@link #query} has checked the tenant of already. */
  private int serviceLevel(String tenantId) {
    return store.serviceLevelSeconds(tenantId).orElse(settings.serviceLevelSeconds());
  }

  public ServiceLevel setServiceLevel(String tenantId, Integer seconds) {
    knownTenant(tenantId);
    if (seconds == null || seconds < 1 || seconds > DurationSketch.EXACT_SECONDS) {
      throw new ReportQueryException(ReportQueryException.Kind.INVALID, "report_settings_invalid",
          "serviceLevelSeconds must be a whole number from 1 to " + DurationSketch.EXACT_SECONDS);
    }
    store.setServiceLevelSeconds(tenantId, seconds);
    return new ServiceLevel(seconds);
  }

  /** Today's queue figures in the tenant's time zone (the live dashboard's service level). */
  public io.videoshop.protocol.LiveEvent.Today today(String tenantId) {
    LocalDate today = LocalDate.now(store.zone(tenantId));
    ReportQuery query = ReportQuery.parse(io.videoshop.domain.Caller.system("live-figures"), tenantId,
        name -> name.equals("from") || name.equals("to") ? Optional.of(today.toString()) : Optional.empty(),
        settings.maxRangeDays(), today);
    Figures.Queue queue = summary(query).total().queue();
    return new io.videoshop.protocol.LiveEvent.Today(today.toString(), queue.queued(), queue.answered(),
        queue.abandoned(), queue.serviceLevelSeconds(), queue.serviceLevel());
  }

  public Summary summary(ReportQuery query) {
    noOutcomeFilter(query);
    int t = serviceLevel(query.tenantId());
    TreeMap<LocalDate, Figures> buckets = new TreeMap<>();
    Figures total = new Figures();
    for (ReportStore.DayRow row : rows(query, true)) {
      buckets.computeIfAbsent(query.bucketOf(row.day()), day -> new Figures()).add(row.figures());
      total.add(row.figures());
    }
    List<Bucket> out = new ArrayList<>();
    buckets.forEach((start, figures) -> out.add(new Bucket(max(start, query.from()), min(end(query, start),
        query.to()), figures.view(t))));
    Map<String, Map<String, Long>> callsBy = new LinkedHashMap<>();
    if (query.language().isEmpty()) {
      for (ReportStore.OutcomeRow row : store.outcomes(query.tenantId(), query.from(), query.to(), query.agentId())) {
        callsBy.computeIfAbsent(row.dimension(), d -> new TreeMap<>()).put(row.value(), row.calls());
      }
    }
    return new Summary(query.tenantId(), query.from(), query.to(), store.zone(query.tenantId()).getId(),
        query.bucket().name().toLowerCase(java.util.Locale.ROOT), filters(query), out, total.view(t), callsBy);
  }

  public AgentTable agents(ReportQuery query) {
    noOutcomeFilter(query);
    int t = serviceLevel(query.tenantId());
    TreeMap<String, Figures> agents = new TreeMap<>();
    Figures total = new Figures();
    for (ReportStore.DayRow row : rows(query, false)) {
      agents.computeIfAbsent(row.agentId(), agent -> new Figures()).add(row.figures());
      total.add(row.figures());
    }
    List<AgentRow> out = new ArrayList<>();
    agents.forEach((agent, figures) -> out.add(new AgentRow(agent.isEmpty() ? null : agent, figures.view(t))));
    return new AgentTable(query.tenantId(), query.from(), query.to(), filters(query), out, total.view(t));
  }

  public HeatMap heatMap(ReportQuery query) {
    int t = serviceLevel(query.tenantId());
    long[][] sums = new long[7 * 24][5];
    DurationSketch.Sum[] waits = new DurationSketch.Sum[7 * 24];
    for (ReportStore.HourRow row : store.hours(query.tenantId(), query.from(), query.to())) {
      int cell = (row.day().getDayOfWeek().getValue() - 1) * 24 + row.hour();
      sums[cell][0] += row.queued();
      sums[cell][1] += row.answered();
      sums[cell][2] += row.abandoned();
      sums[cell][3] += row.answerWaitMs();
      sums[cell][4] = Math.max(sums[cell][4], row.longestWaitMs());
      if (waits[cell] == null) waits[cell] = new DurationSketch.Sum();
      waits[cell].add(row.answerWaits());
    }
    List<HeatCell> cells = new ArrayList<>();
    for (DayOfWeek day : DayOfWeek.values()) {
      for (int hour = 0; hour < 24; hour++) {
        int cell = (day.getValue() - 1) * 24 + hour;
        long[] s = sums[cell];
        long within = waits[cell] == null ? 0 : waits[cell].sketch().countAtMost(t);
        cells.add(new HeatCell(day.getValue(), hour, s[0], s[1], s[2], Figures.average(s[3], s[1]), s[4],
            Figures.ratio(within, s[1] + s[2])));
      }
    }
    return new HeatMap(query.tenantId(), query.from(), query.to(), t, cells);
  }

  public CallList calls(ReportQuery query, int limit, int offset) {
    ZoneId zone = store.zone(query.tenantId());
    Instant from = ReportDays.startOf(query.from(), zone);
    Instant to = ReportDays.startOf(query.to().plusDays(1), zone);
    List<ReportStore.CallRow> rows = store.calls(query.tenantId(), from, to, query.agentId(), query.outcome(),
        limit + 1, offset);
    List<ReportStore.CallRow> items = rows.subList(0, Math.min(limit, rows.size()));
    return new CallList(query.tenantId(), query.from(), query.to(), List.copyOf(items),
        rows.size() > limit ? offset + limit : null);
  }

  /**
   * The rows behind a report. Month roll-ups stand in for whole months wherever no finer bucket
   * is asked for: in the per-agent table ({@code perDay} false) and in month buckets.
   */
  private List<ReportStore.DayRow> rows(ReportQuery query, boolean perDay) {
    boolean rollUps = !perDay || query.bucket() == ReportQuery.Bucket.MONTH;
    List<ReportStore.DayRow> rows = new ArrayList<>(store.queueDays(query.tenantId(), query.from(), query.to(),
        query.agentId(), query.language(), perDay, rollUps));
    // The rooms do not know the shopper's language: with a language filter only queue figures count.
    if (query.language().isEmpty()) {
      rows.addAll(store.callDays(query.tenantId(), query.from(), query.to(), query.agentId(), perDay, rollUps));
      rows.addAll(store.bookingDays(query.tenantId(), query.from(), query.to(), query.agentId(), perDay, rollUps));
      // The wallet's debits know the room but not the agent: cost is a tenant figure.
      if (query.agentId().isEmpty()) rows.addAll(store.costDays(query.tenantId(), query.from(), query.to()));
    }
    return rows;
  }

  private static void noOutcomeFilter(ReportQuery query) {
    if (query.outcome().isPresent()) {
      throw new ReportQueryException(ReportQueryException.Kind.INVALID, "report_filter_unsupported",
          "outcome filters the list of calls (/reports/calls); the summary shows calls by outcome instead");
    }
  }

  private static LocalDate end(ReportQuery query, LocalDate start) {
    return switch (query.bucket()) {
      case DAY -> start;
      case WEEK -> start.plusDays(6);
      case MONTH -> start.plusMonths(1).minusDays(1);
    };
  }

  private static Map<String, String> filters(ReportQuery query) {
    Map<String, String> filters = new LinkedHashMap<>();
    query.agentId().ifPresent(a -> filters.put("agentId", a));
    query.language().ifPresent(l -> filters.put("language", l));
    query.outcome().ifPresent(o -> filters.put("outcome", o));
    return filters;
  }

  private static LocalDate max(LocalDate a, LocalDate b) {
    return a.isAfter(b) ? a : b;
  }

  private static LocalDate min(LocalDate a, LocalDate b) {
    return a.isBefore(b) ? a : b;
  }

}
