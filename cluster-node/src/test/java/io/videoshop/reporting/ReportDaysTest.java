package io.videoshop.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportDaysTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @Test
  void anEventExactlyAtLocalMidnightBelongsToTheDayThatStarts() {
    // 2026-10-25 00:00 in Berlin (still summer time, +02:00) is 2026-10-24T22:00Z.
    assertThat(ReportDays.dayOf(Instant.parse("2026-10-24T22:00:00Z"), BERLIN)).isEqualTo(LocalDate.of(2026, 10, 25));
    assertThat(ReportDays.dayOf(Instant.parse("2026-10-24T21:59:59.999Z"), BERLIN))
        .isEqualTo(LocalDate.of(2026, 10, 24));
    assertThat(ReportDays.hourOf(Instant.parse("2026-10-24T22:00:00Z"), BERLIN)).isZero();
  }

  @Test
  void theDayBoundaryMovesWithTheZone() {
    Instant at = Instant.parse("2026-06-30T23:30:00Z");
    assertThat(ReportDays.dayOf(at, ZoneId.of("UTC"))).isEqualTo(LocalDate.of(2026, 6, 30));
    assertThat(ReportDays.dayOf(at, BERLIN)).isEqualTo(LocalDate.of(2026, 7, 1));
    assertThat(ReportDays.dayOf(at, ZoneId.of("America/New_York"))).isEqualTo(LocalDate.of(2026, 6, 30));
  }

  @Test
  void dstDaysHave23And25Hours() {
    Map<LocalDate, Long> spring = ReportDays.split(ReportDays.startOf(LocalDate.of(2026, 3, 29), BERLIN),
        ReportDays.startOf(LocalDate.of(2026, 3, 30), BERLIN), BERLIN);
    assertThat(spring).containsExactly(Map.entry(LocalDate.of(2026, 3, 29), 23 * 3_600_000L));
    Map<LocalDate, Long> autumn = ReportDays.split(ReportDays.startOf(LocalDate.of(2026, 10, 25), BERLIN),
        ReportDays.startOf(LocalDate.of(2026, 10, 26), BERLIN), BERLIN);
    assertThat(autumn).containsExactly(Map.entry(LocalDate.of(2026, 10, 25), 25 * 3_600_000L));
  }

  @Test
  void anIntervalSplitsAtEachLocalMidnight() {
    Map<LocalDate, Long> parts = ReportDays.split(Instant.parse("2026-10-24T21:00:00Z"),
        Instant.parse("2026-10-26T00:00:00Z"), BERLIN);
    assertThat(parts).containsExactly(
        Map.entry(LocalDate.of(2026, 10, 24), 3_600_000L),
        Map.entry(LocalDate.of(2026, 10, 25), 25 * 3_600_000L),
        Map.entry(LocalDate.of(2026, 10, 26), 3_600_000L));
  }

  @Test
  void aRangeReadsItsWholeMonthsFromTheRollUpsAndTheDaysAroundThemFromTheDays() {
    LocalDate d = LocalDate.of(2025, 12, 1);
    // A year of whole months: one span of month rows.
    assertThat(ReportDays.spans(d, LocalDate.of(2026, 11, 30), true))
        .containsExactly(new ReportDays.Span(true, d, LocalDate.of(2026, 11, 1)));
    // Ragged edges: the days before the first whole month and after the last.
    assertThat(ReportDays.spans(LocalDate.of(2026, 1, 15), LocalDate.of(2026, 4, 3), true)).containsExactly(
        new ReportDays.Span(false, LocalDate.of(2026, 1, 15), LocalDate.of(2026, 1, 31)),
        new ReportDays.Span(true, LocalDate.of(2026, 2, 1), LocalDate.of(2026, 3, 1)),
        new ReportDays.Span(false, LocalDate.of(2026, 4, 1), LocalDate.of(2026, 4, 3)));
    // February 2028 is a leap month: the 29th ends it.
    assertThat(ReportDays.spans(LocalDate.of(2028, 2, 1), LocalDate.of(2028, 2, 29), true))
        .containsExactly(new ReportDays.Span(true, LocalDate.of(2028, 2, 1), LocalDate.of(2028, 2, 1)));
    // No whole month inside, or no roll-ups wanted: days only.
    assertThat(ReportDays.spans(LocalDate.of(2026, 1, 2), LocalDate.of(2026, 2, 27), true))
        .containsExactly(new ReportDays.Span(false, LocalDate.of(2026, 1, 2), LocalDate.of(2026, 2, 27)));
    assertThat(ReportDays.spans(LocalDate.of(2026, 3, 1), LocalDate.of(2026, 3, 1), true))
        .containsExactly(new ReportDays.Span(false, LocalDate.of(2026, 3, 1), LocalDate.of(2026, 3, 1)));
    assertThat(ReportDays.spans(d, LocalDate.of(2026, 11, 30), false))
        .containsExactly(new ReportDays.Span(false, d, LocalDate.of(2026, 11, 30)));
  }
}
