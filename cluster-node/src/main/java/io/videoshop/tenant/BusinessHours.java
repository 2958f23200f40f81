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

  /** Settings sent without {@code exceptions} have none (and never a null list to trip over). */
  public BusinessHours {
    exceptions = exceptions == null ? List.of() : exceptions;
  }

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

  /** A stretch of open time, from {@code start} (inclusive) to {@code end} (exclusive). */
  public record Opening(Instant start, Instant end) {
    public boolean contains(Instant from, Instant to) {
      return !from.isBefore(start) && !to.isAfter(end);
    }
  }

  /**
   * The openings that overlap {@code [from, to)}, in order, not clipped, windows that touch merged
   * (a window past midnight and the next day's first window are one opening). Each window is
   * placed with the zone's rules of its own day: on a DST change day a window 01:00-05:00 is
   * three or five real hours long.
   */
  public List<Opening> openings(Instant from, Instant to, ZoneId zone) {
    List<Opening> merged = new ArrayList<>();
    for (Opening opening : windows(from.minus(java.time.Duration.ofDays(2)), to.plus(java.time.Duration.ofDays(2)), zone)) {
      Opening previous = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (previous != null && !opening.start().isAfter(previous.end())) {
        if (opening.end().isAfter(previous.end())) {
          merged.set(merged.size() - 1, new Opening(previous.start(), opening.end()));
        }
      } else {
        merged.add(opening);
      }
    }
    merged.removeIf(opening -> !opening.end().isAfter(from) || !opening.start().isBefore(to));
    return merged;
  }

  /** Each window as it falls, unmerged, in order: those that start on a day from {@code from}'s to {@code to}'s. */
  public List<Opening> windows(Instant from, Instant to, ZoneId zone) {
    LocalDate first = from.atZone(zone).toLocalDate().minusDays(1);
    LocalDate last = to.atZone(zone).toLocalDate();
    List<Opening> raw = new ArrayList<>();
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      for (Window window : windowsOn(day)) {
        Instant start = day.atTime(window.start()).atZone(zone).toInstant();
        Instant end = (window.pastMidnight() ? day.plusDays(1) : day).atTime(window.end()).atZone(zone).toInstant();
        if (end.isAfter(start)) raw.add(new Opening(start, end));
      }
    }
    raw.sort(java.util.Comparator.comparing(Opening::start));
    return raw;
  }

  /** Whether the whole of {@code [from, to)} is open. */
  public boolean covers(Instant from, Instant to, ZoneId zone) {
    return openings(from, to, zone).stream().anyMatch(opening -> opening.contains(from, to));
  }

  private List<Window> windowsOn(LocalDate day) {
    String date = day.toString();
    for (DatedException exception : exceptions) {
      if (exception.date().equals(date)) return exception.windows();
    }
    return weekly.getOrDefault(dayName(day.getDayOfWeek()), List.of());
  }
}
