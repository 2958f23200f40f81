package io.videoshop.reporting;

import io.videoshop.domain.Caller;
import io.videoshop.domain.Role;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a report covers: a tenant, an inclusive range of the tenant's local days, how to bucket it,
 * and the filters. Agents only ever see their own figures.
 */
public record ReportQuery(String tenantId, LocalDate from, LocalDate to, Bucket bucket, Optional<String> agentId,
    Optional<String> language, Optional<String> outcome) {

  public enum Bucket { DAY, WEEK, MONTH }

  static final int MAX_FILTER_LENGTH = 64;
  /** Without from and to: the 30 days up to today in the tenant's zone. */
  static final int DEFAULT_DAYS = 30;

  /**
   * Reads and checks the query parameters.
   *
   * @param parameter a query parameter by name, empty when absent
   * @param today the tenant's today, the default end of the range
   */
  public static ReportQuery parse(Caller caller, String tenantId, Function<String, Optional<String>> parameter,
      int maxRangeDays, LocalDate today) {
    LocalDate to = date(parameter, "to").orElse(today);
    LocalDate from = date(parameter, "from").orElse(to.minusDays(DEFAULT_DAYS - 1));
    if (to.isBefore(from)) {
      throw new ReportQueryException(ReportQueryException.Kind.INVALID, "report_range_invalid",
          "to (" + to + ") is before from (" + from + ")");
    }
    if (ChronoUnit.DAYS.between(from, to) + 1 > maxRangeDays) {
      throw new ReportQueryException(ReportQueryException.Kind.INVALID, "report_range_invalid",
          "A report covers at most " + maxRangeDays + " days");
    }
    Bucket bucket = parameter.apply("bucket").map(ReportQuery::bucket).orElse(Bucket.DAY);
    Optional<String> agent = filter(parameter, "agentId");
    if (caller.role() == Role.AGENT) {
      if (agent.isPresent() && !agent.get().equals(caller.id())) {
        throw new ReportQueryException(ReportQueryException.Kind.FORBIDDEN, "report_agent_not_allowed",
            "An agent sees their own figures only");
      }
      agent = Optional.of(caller.id());
    }
    return new ReportQuery(tenantId, from, to, bucket, agent,
        filter(parameter, "language").map(l -> l.toLowerCase(Locale.ROOT)), filter(parameter, "outcome"));
  }

  private static Optional<LocalDate> date(Function<String, Optional<String>> parameter, String name) {
    Optional<String> raw = parameter.apply(name);
    if (raw.isEmpty()) return Optional.empty();
    try {
      return Optional.of(LocalDate.parse(raw.get()));
    } catch (DateTimeParseException e) {
      throw new ReportQueryException(ReportQueryException.Kind.INVALID, "report_range_invalid",
          "Query parameter " + name + " must be a date such as 2026-11-30");
    }
  }

  private static Bucket bucket(String raw) {
    for (Bucket bucket : Bucket.values()) {
      if (bucket.name().toLowerCase(Locale.ROOT).equals(raw)) return bucket;
    }
    throw new ReportQueryException(ReportQueryException.Kind.INVALID, "report_bucket_invalid",
        "bucket must be day, week or month");
  }

  private static Optional<String> filter(Function<String, Optional<String>> parameter, String name) {
    Optional<String> value = parameter.apply(name);
    if (value.isPresent() && (value.get().isBlank() || value.get().length() > MAX_FILTER_LENGTH)) {
      throw new ReportQueryException(ReportQueryException.Kind.INVALID, "report_filter_invalid",
          name + " must be 1 to " + MAX_FILTER_LENGTH + " characters");
    }
    return value;
  }

  /** The first day of the bucket a day falls in (weeks start on Monday, ISO). */
  public LocalDate bucketOf(LocalDate day) {
    return switch (bucket) {
      case DAY -> day;
      case WEEK -> day.minusDays(day.getDayOfWeek().getValue() - 1L);
      case MONTH -> day.withDayOfMonth(1);
    };
  }
}
