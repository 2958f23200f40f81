package io.videoshop.tenant;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * When a tenant takes shoppers: windows per weekday (several a day; a window whose end is not
 * after its start runs past midnight into the next day) and dated exceptions that replace a
 * day's windows (an empty list closes the day, e.g. a holiday). Times are in the tenant's zone.
 *
 * @param weekly windows by lower-case weekday name ("monday" ... "sunday"); a missing day is closed
 * @param exceptions days whose windows replace the weekly ones
 */
public record BusinessHours(Map<String, List<Window>> weekly, List<DatedException> exceptions) {

  /** From {@code from} to {@code to} ("HH:mm"); {@code to} not after {@code from}: ends the next day. */
  public record Window(String from, String to) {
    LocalTime start() {
      return LocalTime.parse(from);
    }

    LocalTime end() {
      return LocalTime.parse(to);
    }

    boolean pastMidnight() {
      return !end().isAfter(start());
    }
  }

  public record DatedException(String date, List<Window> windows) {}

  /** Open every day, all day: the default until a tenant sets its hours. */
  public static BusinessHours always() {
    List<Window> allDay = List.of(new Window("00:00", "00:00"));
    Map<String, List<Window>> weekly = new java.util.LinkedHashMap<>();
    for (DayOfWeek day : DayOfWeek.values()) weekly.put(dayName(day), allDay);
    return new BusinessHours(weekly, List.of());
  }

  public static String dayName(DayOfWeek day) {
    return day.name().toLowerCase(Locale.ROOT);
  }

  public boolean isOpen(Instant at, ZoneId zone) {
    ZonedDateTime local = at.atZone(zone);
    LocalDate today = local.toLocalDate();
    for (LocalDate day : List.of(today.minusDays(1), today)) {
      for (Window window : windowsOn(day)) {
        ZonedDateTime start = day.atTime(window.start()).atZone(zone);
        ZonedDateTime end = (window.pastMidnight() ? day.plusDays(1) : day).atTime(window.end()).atZone(zone);
        if (!local.isBefore(start) && local.isBefore(end)) return true;
      }
    }
    return false;
  }

  /** The next moment the tenant opens after {@code at}, looking up to a year ahead. */
  public Optional<Instant> nextOpening(Instant at, ZoneId zone) {
    LocalDate day = at.atZone(zone).toLocalDate();
    for (int i = 0; i <= 366; i++, day = day.plusDays(1)) {
      List<Instant> starts = new ArrayList<>();
      for (Window window : windowsOn(day)) starts.add(day.atTime(window.start()).atZone(zone).toInstant());
      Optional<Instant> first = starts.stream().filter(start -> start.isAfter(at)).sorted().findFirst();
      if (first.isPresent()) return first;
    }
    return Optional.empty();
  }

  private List<Window> windowsOn(LocalDate day) {
    String date = day.toString();
    for (DatedException exception : exceptions) {
      if (exception.date().equals(date)) return exception.windows();
    }
    return weekly.getOrDefault(dayName(day.getDayOfWeek()), List.of());
  }
}
