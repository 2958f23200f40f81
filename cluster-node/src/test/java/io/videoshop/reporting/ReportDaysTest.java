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
}
