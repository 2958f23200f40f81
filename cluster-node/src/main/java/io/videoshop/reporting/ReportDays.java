package io.videoshop.reporting;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Days in the tenant's time zone: which day an instant belongs to, and how an interval splits
 * over the days it spans. A day starts at the zone's start of day (so a DST day has 23 or 25 hours)
 * and an instant exactly at midnight belongs to the day that starts then.
 */
public final class ReportDays {
  private ReportDays() {}

  public static LocalDate dayOf(Instant at, ZoneId zone) {
    return at.atZone(zone).toLocalDate();
  }

  public static int hourOf(Instant at, ZoneId zone) {
    return at.atZone(zone).getHour();
  }

  public static Instant startOf(LocalDate day, ZoneId zone) {
    return day.atStartOfDay(zone).toInstant();
  }

  /** The milliseconds of [from, to) that fall in each local day, in day order. */
  public static Map<LocalDate, Long> split(Instant from, Instant to, ZoneId zone) {
    Map<LocalDate, Long> parts = new LinkedHashMap<>();
    Instant cursor = from;
    while (cursor.isBefore(to)) {
      LocalDate day = dayOf(cursor, zone);
      Instant nextDay = startOf(day.plusDays(1), zone);
      Instant end = nextDay.isBefore(to) ? nextDay : to;
      parts.put(day, Duration.between(cursor, end).toMillis());
      cursor = end;
    }
    return parts;
  }

  /**
   * Part of a range read from one kind of table: whole months from the month roll-ups
   * ({@code months}: {@code from} and {@code to} are the first days of the first and last month),
   * or days from the day tables.
   */
  public record Span(boolean months, LocalDate from, LocalDate to) {}

  /**
   * The inclusive range [from, to] as the whole months it covers (one span of month roll-ups) and
   * the days before and after them; without roll-ups ({@code rollUps} false), or when no whole
   * month fits, one span of days.
   */
  public static List<Span> spans(LocalDate from, LocalDate to, boolean rollUps) {
    LocalDate firstMonth = from.getDayOfMonth() == 1 ? from : from.withDayOfMonth(1).plusMonths(1);
    LocalDate afterLastMonth = to.plusDays(1).withDayOfMonth(1); // the first day not in a whole month
    if (!rollUps || !firstMonth.isBefore(afterLastMonth)) return List.of(new Span(false, from, to));
    List<Span> spans = new ArrayList<>();
    if (from.isBefore(firstMonth)) spans.add(new Span(false, from, firstMonth.minusDays(1)));
    spans.add(new Span(true, firstMonth, afterLastMonth.minusMonths(1)));
    if (!afterLastMonth.isAfter(to)) spans.add(new Span(false, afterLastMonth, to));
    return spans;
  }
}
