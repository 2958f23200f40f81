package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.scheduling.BookingCalendar.Booking;
import io.videoshop.scheduling.BookingCalendar.Slot;
import io.videoshop.scheduling.BookingCalendar.State;
import io.videoshop.scheduling.BookingCalendar.TenantHours;
import io.videoshop.tenant.BusinessHours;
import io.videoshop.tenant.BusinessHours.DatedException;
import io.videoshop.tenant.BusinessHours.Window;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slot computation in java.time with the tenant's zone rules, without actors. */
class AvailabilityTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  /** An hour-long slot every hour, no notice, a long horizon: the hours alone decide. */
  private static final BookingPolicy HOURLY = new BookingPolicy(60, 60, 0, 0, 0, 365, 50, 0);
  private static final Instant LONG_BEFORE = Instant.parse("2026-01-01T00:00:00Z");

  static BusinessHours everyDay(Window... windows) {
    Map<String, List<Window>> weekly = new LinkedHashMap<>();
    for (java.time.DayOfWeek day : java.time.DayOfWeek.values()) weekly.put(BusinessHours.dayName(day), List.of(windows));
    return new BusinessHours(weekly, List.of());
  }

  static State withAgents(BookingPolicy policy, String... agents) {
    Map<String, WorkingHours> hours = new LinkedHashMap<>();
    for (String agent : agents) hours.put(agent, new WorkingHours(true, null, null, List.of()));
    return new State(policy, hours, Map.of(), Map.of());
  }

  static Instant local(String dateTime, ZoneId zone) {
    return LocalDateTime.parse(dateTime).atZone(zone).toInstant();
  }

  static List<Instant> starts(List<Slot> slots) {
    return slots.stream().map(Slot::start).toList();
  }

  static BookingDetails details(String subject) {
    return new BookingDetails(subject, new EncryptedPersonalData(subject, "bmFtZQ=="),
        new EncryptedPersonalData(subject, "ZW1haWw="), null, null, "shoes", "Europe/Berlin", true);
  }

  private static List<Slot> day(State state, TenantHours tenant, String date, ZoneId zone) {
    Instant from = local(date + "T00:00", zone);
    return state.slots(tenant, from, from.plus(Duration.ofDays(1)), null, LONG_BEFORE);
  }

  @Test
  void berlinSpringForwardDayHasTheHoursItReallyHas() {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST. 01:00-05:00 local is three real hours.
    TenantHours tenant = new TenantHours("Europe/Berlin", everyDay(new Window("01:00", "05:00")));
    List<Slot> slots = day(withAgents(HOURLY, "a"), tenant, "2026-03-29", BERLIN);
    assertThat(starts(slots)).containsExactly(
        Instant.parse("2026-03-29T00:00:00Z"), Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-03-29T02:00:00Z"));
    assertThat(slots.get(1).start().atZone(BERLIN).toLocalTime()).hasToString("03:00");
    // The day before has four.
    assertThat(day(withAgents(HOURLY, "a"), tenant, "2026-03-28", BERLIN)).hasSize(4);
  }

  @Test
  void newYorkFallBackDayHasAnHourMoreAndOneAmTwice() {
    // 2026-11-01: 02:00 EDT becomes 01:00 EST. 00:00-04:00 local is five real hours.
    TenantHours tenant = new TenantHours("America/New_York", everyDay(new Window("00:00", "04:00")));
    List<Slot> slots = day(withAgents(HOURLY, "a"), tenant, "2026-11-01", NEW_YORK);
    assertThat(starts(slots)).containsExactly(
        Instant.parse("2026-11-01T04:00:00Z"), Instant.parse("2026-11-01T05:00:00Z"), Instant.parse("2026-11-01T06:00:00Z"),
        Instant.parse("2026-11-01T07:00:00Z"), Instant.parse("2026-11-01T08:00:00Z"));
    assertThat(slots.stream().map(slot -> slot.start().atZone(NEW_YORK).toLocalTime().toString()).toList())
        .containsExactly("00:00", "01:00", "01:00", "02:00", "03:00");
    // Spring forward in New York (2026-03-08): a 09:00-11:00 window is unaffected, at UTC-4 now.
    TenantHours daytime = new TenantHours("America/New_York", everyDay(new Window("09:00", "11:00")));
    assertThat(starts(day(withAgents(HOURLY, "a"), daytime, "2026-03-08", NEW_YORK)))
        .containsExactly(Instant.parse("2026-03-08T13:00:00Z"), Instant.parse("2026-03-08T14:00:00Z"));
  }

  @Test
  void aHolidayHasNoSlotsAndADatedExceptionReplacesTheDay() {
    BusinessHours hours = new BusinessHours(everyDay(new Window("09:00", "12:00")).weekly(), List.of(
        new DatedException("2026-12-25", List.of()), new DatedException("2026-12-24", List.of(new Window("10:00", "11:00")))));
    TenantHours tenant = new TenantHours("Europe/Berlin", hours);
    State state = withAgents(HOURLY, "a");
    assertThat(day(state, tenant, "2026-12-25", BERLIN)).isEmpty();
    assertThat(starts(day(state, tenant, "2026-12-24", BERLIN))).containsExactly(local("2026-12-24T10:00", BERLIN));
    assertThat(day(state, tenant, "2026-12-23", BERLIN)).hasSize(3);
  }

  @Test
  void aSplitShiftOffersBothPartsAndNothingAcrossTheBreak() {
    TenantHours tenant = new TenantHours("Europe/Berlin",
        everyDay(new Window("09:00", "11:30"), new Window("13:00", "15:00")));
    BookingPolicy policy = new BookingPolicy(60, 30, 0, 0, 0, 365, 50, 0);
    assertThat(day(withAgents(policy, "a"), tenant, "2026-06-10", BERLIN).stream()
        .map(slot -> slot.start().atZone(BERLIN).toLocalTime().toString()).toList())
        .containsExactly("09:00", "09:30", "10:00", "10:30", "13:00", "13:30", "14:00");
  }

  @Test
  void aWindowPastMidnightOffersSlotsIntoTheNextDay() {
    Map<String, List<Window>> weekly = Map.of("friday", List.of(new Window("22:00", "02:00")));
    TenantHours tenant = new TenantHours("Europe/Berlin", new BusinessHours(weekly, List.of()));
    State state = withAgents(HOURLY, "a");
    Instant from = local("2026-06-12T00:00", BERLIN); // a Friday
    List<Slot> slots = state.slots(tenant, from, from.plus(Duration.ofDays(2)), null, LONG_BEFORE);
    assertThat(slots.stream().map(slot -> slot.start().atZone(BERLIN).toLocalDateTime().toString()).toList())
        .containsExactly("2026-06-12T22:00", "2026-06-12T23:00", "2026-06-13T00:00", "2026-06-13T01:00");
    assertThat(state.book(tenant, "b1", local("2026-0613T01:00".replace("0613", "06-13"), BERLIN), null, details("s"),
        LONG_BEFORE).refusal()).isNull();
  }

  @Test
  void hoursSentWithoutExceptionsHaveNone() {
    BusinessHours hours = new BusinessHours(everyDay(new Window("09:00", "11:00")).weekly(), null);
    assertThat(hours.exceptions()).isEmpty();
    assertThat(day(withAgents(HOURLY, "a"), new TenantHours("Europe/Berlin", hours), "2026-06-10", BERLIN)).hasSize(2);
  }

  @Test
  void buffersCountAsBusy() {
    TenantHours tenant = new TenantHours("Europe/Berlin", everyDay(new Window("09:00", "17:00")));
    // 30-minute calls every 30 minutes, 15 minutes before and after each kept free.
    BookingPolicy policy = new BookingPolicy(30, 30, 15, 15, 0, 365, 50, 0);
    State state = withAgents(policy, "a");
    Instant ten = local("2026-06-10T10:00", BERLIN);
    state = state.apply(state.book(tenant, "b1", ten, null, details("s1"), LONG_BEFORE).event());
    List<String> times = day(state, tenant, "2026-06-10", BERLIN).stream()
        .map(slot -> slot.start().atZone(BERLIN).toLocalTime().toString()).toList();
    // 10:00-10:30 occupies 09:45-10:45; a neighbour occupies 15 minutes either side too.
    assertThat(times).contains("09:00", "11:00").doesNotContain("09:30", "10:00", "10:30");
    assertThat(state.book(tenant, "b2", ten.plus(Duration.ofMinutes(30)), null, details("s2"), LONG_BEFORE).refusal())
        .isEqualTo(BookingRefusal.SLOT_TAKEN);
  }

  @Test
  void minimumNoticeAndHorizonBoundTheSlots() {
    TenantHours tenant = new TenantHours("Europe/Berlin", everyDay(new Window("00:00", "00:00")));
    BookingPolicy policy = new BookingPolicy(60, 60, 0, 0, 120, 30, 50, 0);
    State state = withAgents(policy, "a");
    Instant now = Instant.parse("2026-06-10T08:30:00Z");
    List<Slot> slots = state.slots(tenant, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(60)), null, now);
    assertThat(slots.get(0).start()).isEqualTo(Instant.parse("2026-06-10T11:00:00Z")); // first full hour after 10:30Z
    assertThat(slots.get(slots.size() - 1).start()).isBefore(now.plus(Duration.ofDays(30)));
    assertThat(state.book(tenant, "b", Instant.parse("2026-06-10T10:00:00Z"), null, details("s"), now).refusal())
        .isEqualTo(BookingRefusal.SLOT_TOO_SOON);
    assertThat(state.book(tenant, "b", Instant.parse("2026-06-10T07:00:00Z"), null, details("s"), now).refusal())
        .isEqualTo(BookingRefusal.SLOT_IN_PAST);
    assertThat(state.book(tenant, "b", now.plus(Duration.ofDays(31)).truncatedTo(java.time.temporal.ChronoUnit.HOURS),
        null, details("s"), now).refusal()).isEqualTo(BookingRefusal.SLOT_TOO_FAR);
    assertThat(state.book(tenant, "b", Instant.parse("2026-06-11T11:15:00Z"), null, details("s"), now).refusal())
        .as("off the hourly grid").isEqualTo(BookingRefusal.SLOT_NOT_OFFERED);
  }

  @Test
  void agentsOwnHoursDaysOffAndDailyLimitApply() {
    TenantHours tenant = new TenantHours("Europe/Berlin", everyDay(new Window("08:00", "18:00")));
    BookingPolicy policy = new BookingPolicy(60, 60, 0, 0, 0, 365, 2, 0);
    Map<String, WorkingHours> agents = Map.of(
        "early", new WorkingHours(true, everyDay(new Window("08:00", "10:00")), null, List.of("2026-06-11")),
        "late", new WorkingHours(true, everyDay(new Window("16:00", "20:00")), null, List.of()),
        "off", new WorkingHours(false, null, null, List.of()));
    State state = new State(policy, agents, Map.of(), Map.of());
    List<Slot> slots = day(state, tenant, "2026-06-10", BERLIN);
    assertThat(slots.stream().map(slot -> slot.start().atZone(BERLIN).toLocalTime() + "=" + slot.agentIds()).toList())
        .containsExactly("08:00=[early]", "09:00=[early]", "16:00=[late]", "17:00=[late]");
    assertThat(day(state, tenant, "2026-06-11", BERLIN)).extracting(Slot::agentIds).containsOnly(List.of("late"));
    state = state.apply(state.book(tenant, "b1", local("2026-06-10T16:00", BERLIN), null, details("s1"), LONG_BEFORE).event());
    state = state.apply(state.book(tenant, "b2", local("2026-06-10T17:00", BERLIN), null, details("s2"), LONG_BEFORE).event());
    assertThat(day(state, tenant, "2026-06-10", BERLIN)).extracting(Slot::agentIds).containsOnly(List.of("early"));
    assertThat(state.book(tenant, "b3", local("2026-06-12T10:00", BERLIN), "off", details("s3"), LONG_BEFORE).refusal())
        .isEqualTo(BookingRefusal.AGENT_NOT_BOOKABLE);
  }

  @Test
  void aDayOffRemovesTheShiftsStartingOnItButNotTheEveningBeforesPastMidnight() {
    TenantHours tenant = new TenantHours("Europe/Berlin", everyDay(new Window("00:00", "00:00")));
    Map<String, List<Window>> nights = Map.of("friday", List.of(new Window("23:00", "01:00")),
        "saturday", List.of(new Window("23:00", "01:00")));
    State state = new State(HOURLY, Map.of("night", new WorkingHours(true, new BusinessHours(nights, List.of()),
        "Europe/Berlin", List.of("2026-06-13"))), Map.of(), Map.of());
    Instant from = local("2026-06-12T00:00", BERLIN); // Friday
    assertThat(state.slots(tenant, from, from.plus(Duration.ofDays(3)), null, LONG_BEFORE).stream()
        .map(slot -> slot.start().atZone(BERLIN).toLocalDateTime().toString()).toList())
        .containsExactly("2026-06-12T23:00", "2026-06-13T00:00");
  }

  @Test
  void unchosenBookingsGoRoundRobinLeastRecentlyBookedFirst() {
    TenantHours tenant = new TenantHours("Europe/Berlin", everyDay(new Window("08:00", "18:00")));
    State state = withAgents(HOURLY, "a", "b", "c");
    Instant at = LONG_BEFORE;
    List<String> given = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      at = at.plusSeconds(1);
      BookingCalendar.Decision decision = state.book(tenant, "b" + i, local("2026-06-10T08:00", BERLIN).plus(Duration.ofHours(i)),
          null, details("s" + i), at);
      state = state.apply(decision.event());
      given.add(((BookingCalendar.BookingMade) decision.event()).booking().agentId());
    }
    assertThat(given).containsExactly("a", "b", "c", "a", "b", "c");
    // Three at the same time: each agent once, then the slot is taken.
    Instant same = local("2026-06-11T09:00", BERLIN);
    for (int i = 0; i < 3; i++) state = state.apply(state.book(tenant, "x" + i, same, null, details("x" + i), at).event());
    assertThat(state.book(tenant, "x3", same, null, details("x3"), at).refusal()).isEqualTo(BookingRefusal.SLOT_TAKEN);
  }

  @Test
  void rescheduleAndCancelRespectTheChangeNoticeForShoppersButNotAdmins() {
    TenantHours tenant = new TenantHours("Europe/Berlin", everyDay(new Window("08:00", "18:00")));
    BookingPolicy policy = new BookingPolicy(60, 60, 0, 0, 0, 365, 50, 120);
    State state = withAgents(policy, "a");
    Instant start = local("2026-06-10T10:00", BERLIN);
    state = state.apply(state.book(tenant, "b1", start, null, details("s"), LONG_BEFORE).event());
    Instant late = start.minus(Duration.ofMinutes(90));
    assertThat(state.cancel("b1", null, true, late).refusal()).isEqualTo(BookingRefusal.CHANGE_TOO_LATE);
    assertThat(state.reschedule(tenant, "b1", start.plus(Duration.ofDays(1)), true, late).refusal())
        .isEqualTo(BookingRefusal.CHANGE_TOO_LATE);
    assertThat(state.cancel("b1", "agent ill", false, late).refusal()).isNull();
    BookingCalendar.Decision moved = state.reschedule(tenant, "b1", start.plus(Duration.ofDays(1)), true, LONG_BEFORE);
    state = state.apply(moved.event());
    Booking booking = state.bookings().get("b1");
    assertThat(booking.start()).isEqualTo(start.plus(Duration.ofDays(1)));
    assertThat(booking.sequence()).isEqualTo(1);
    // The old time is free again.
    assertThat(state.book(tenant, "b2", start, null, details("s2"), LONG_BEFORE).refusal()).isNull();
    state = state.apply(state.cancel("b1", null, true, LONG_BEFORE).event());
    assertThat(state.bookings().get("b1").sequence()).isEqualTo(2);
    assertThat(state.cancel("b1", null, true, LONG_BEFORE).refusal()).isEqualTo(BookingRefusal.BOOKING_CANCELLED);
    assertThat(state.cancel("nope", null, true, LONG_BEFORE).refusal()).isEqualTo(BookingRefusal.BOOKING_NOT_FOUND);
  }
}
