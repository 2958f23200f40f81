package io.videoshop.reporting;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
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
}
