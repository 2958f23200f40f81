package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.scheduling.BookingCalendar.Booking;
import io.videoshop.scheduling.BookingCalendar.BookingMade;
import io.videoshop.scheduling.BookingCalendar.BookingOutcomeRecorded;
import io.videoshop.scheduling.BookingCalendar.Decision;
import io.videoshop.scheduling.BookingCalendar.Outcome;
import io.videoshop.scheduling.BookingCalendar.State;
import io.videoshop.scheduling.BookingCalendar.Status;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A booking's outcome on the calendar's state alone: when it may be recorded, by whom, once. */
class BookingOutcomeTest {
  private static final Instant START = Instant.parse("2026-03-10T14:00:00Z");
  private static final Instant MADE = START.minus(Duration.ofDays(1));

  private static State withBooking() {
    Booking booking = new Booking("b1", "agent-1", false, START, START.plus(Duration.ofMinutes(30)), Status.BOOKED, 0,
        null, MADE, MADE, null);
    return State.EMPTY.apply(new BookingMade(booking, MADE));
  }

  @Test
  void attendedWithTheRoomIdOnceTheTimeHasCome() {
    State state = withBooking();
    assertThat(state.recordOutcome("b1", Outcome.ATTENDED, "room-7", null, START.minusSeconds(1)).refusal())
        .isEqualTo(BookingRefusal.OUTCOME_TOO_EARLY);
    Decision decision = state.recordOutcome("b1", Outcome.ATTENDED, "room-7", "agent-1", START.plusSeconds(30));
    assertThat(decision.refusal()).isNull();
    BookingOutcomeRecorded recorded = (BookingOutcomeRecorded) decision.event();
    assertThat(recorded.roomId()).isEqualTo("room-7");
    State after = state.apply(recorded);
    assertThat(after.bookings().get("b1").status()).isEqualTo(Status.ATTENDED);
    assertThat(after.recordOutcome("b1", Outcome.NO_SHOW, null, null, START.plus(Duration.ofHours(1))).refusal())
        .as("once").isEqualTo(BookingRefusal.OUTCOME_RECORDED);
    // Over: it cannot be moved or cancelled any more, and it still counts as the agent's booking that day.
    assertThat(after.cancel("b1", null, false, START.plus(Duration.ofHours(1))).refusal())
        .isEqualTo(BookingRefusal.CHANGE_TOO_LATE);
    assertThat(after.bookings().get("b1").holdsTime()).isTrue();
  }

  @Test
  void aNoShowHasNoRoomAndAttendedNeedsOne() {
    State state = withBooking();
    assertThat(state.recordOutcome("b1", Outcome.ATTENDED, null, null, START.plusSeconds(60)).refusal())
        .isEqualTo(BookingRefusal.INVALID_OUTCOME);
    Decision noShow = state.recordOutcome("b1", Outcome.NO_SHOW, "ignored", null, START.plus(Duration.ofMinutes(15)));
    assertThat(((BookingOutcomeRecorded) noShow.event()).roomId()).isNull();
    assertThat(state.apply(noShow.event()).bookings().get("b1").status()).isEqualTo(Status.NO_SHOW);
  }

  @Test
  void anAgentRecordsTheirOwnBookingsOnlyAndNothingForACancelledOne() {
    State state = withBooking();
    assertThat(state.recordOutcome("b1", Outcome.NO_SHOW, null, "agent-2", START.plusSeconds(60)).refusal())
        .isEqualTo(BookingRefusal.NOT_YOUR_BOOKING);
    assertThat(state.recordOutcome("nope", Outcome.NO_SHOW, null, null, START.plusSeconds(60)).refusal())
        .isEqualTo(BookingRefusal.BOOKING_NOT_FOUND);
    State cancelled = state.apply(state.cancel("b1", "ill", true, MADE.plusSeconds(60)).event());
    assertThat(cancelled.recordOutcome("b1", Outcome.NO_SHOW, null, null, START.plusSeconds(60)).refusal())
        .isEqualTo(BookingRefusal.BOOKING_CANCELLED);
    assertThat(cancelled.bookings().get("b1").holdsTime()).isFalse();
  }

}
