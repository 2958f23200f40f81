package io.videoshop.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BusinessHoursTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final BusinessHours HOURS = new BusinessHours(
      Map.of("monday", List.of(new BusinessHours.Window("09:00", "12:00"), new BusinessHours.Window("13:00", "17:00")),
          "friday", List.of(new BusinessHours.Window("22:00", "02:00"))),
      List.of(new BusinessHours.DatedException("2026-12-07", List.of()),
          new BusinessHours.DatedException("2026-12-08", List.of(new BusinessHours.Window("10:00", "11:00")))));

  /** Local Berlin time in winter (UTC+1). */
  private static Instant berlin(String localDateTime) {
    return java.time.LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
  }

  @Test
  void openInsideAWindowAndClosedBetweenWindows() {
    assertThat(HOURS.isOpen(berlin("2026-11-30T09:00"), BERLIN)).isTrue();
    assertThat(HOURS.isOpen(berlin("2026-11-30T11:59"), BERLIN)).isTrue();
    assertThat(HOURS.isOpen(berlin("2026-11-30T12:00"), BERLIN)).as("end is exclusive").isFalse();
    assertThat(HOURS.isOpen(berlin("2026-11-30T12:30"), BERLIN)).isFalse();
    assertThat(HOURS.isOpen(berlin("2026-12-01T10:00"), BERLIN)).as("tuesday is not listed").isFalse();
  }

  @Test
  void aWindowPastMidnightRunsIntoTheNextDay() {
    assertThat(HOURS.isOpen(berlin("2026-12-04T23:30"), BERLIN)).isTrue();
    assertThat(HOURS.isOpen(berlin("2026-12-05T01:59"), BERLIN)).as("saturday early, friday's window").isTrue();
    assertThat(HOURS.isOpen(berlin("2026-12-05T02:00"), BERLIN)).isFalse();
    assertThat(HOURS.isOpen(berlin("2026-12-04T21:59"), BERLIN)).isFalse();
  }

  @Test
  void datedExceptionsReplaceTheWeekdaysWindows() {
    assertThat(HOURS.isOpen(berlin("2026-12-07T10:00"), BERLIN)).as("a closed monday").isFalse();
    assertThat(HOURS.isOpen(berlin("2026-12-08T10:30"), BERLIN)).as("a tuesday opened by exception").isTrue();
  }

  @Test
  void nextOpeningSkipsClosedDaysAndExceptions() {
    assertThat(HOURS.nextOpening(berlin("2026-11-30T12:30"), BERLIN)).hasValue(berlin("2026-11-30T13:00"));
    assertThat(HOURS.nextOpening(berlin("2026-11-30T17:00"), BERLIN)).hasValue(berlin("2026-12-04T22:00"));
    assertThat(HOURS.nextOpening(berlin("2026-12-06T12:00"), BERLIN)).as("monday 7th is closed")
        .hasValue(berlin("2026-12-08T10:00"));
    assertThat(new BusinessHours(Map.of(), List.of()).nextOpening(Instant.parse("2026-01-01T00:00:00Z"), BERLIN))
        .isEmpty();
  }

  @Test
  void alwaysIsOpenAtAnyTime() {
    BusinessHours always = BusinessHours.always();
    for (String time : List.of("2026-11-30T00:00", "2026-12-02T23:59", "2026-12-06T12:00")) {
      assertThat(always.isOpen(berlin(time), BERLIN)).as(time).isTrue();
    }
  }
}
