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
        null, MADE, MADE, null, null);
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

  // Recorded without anyone: the no-show check (its outbox row, due at the policy's no-show time) and the arrival.

  private static final Instant NO_SHOW_AT = START.plus(Duration.ofMinutes(BookingPolicy.DEFAULT_NO_SHOW_AFTER));

  @Test
  void aShopperWhoNeverCameIsANoShowOnceTheNoShowTimeHasCome() {
    State state = withBooking();
    assertThat(state.noShowAt(state.bookings().get("b1"))).isEqualTo(NO_SHOW_AT);
    assertThat(state.noShow("b1", 0, NO_SHOW_AT.minusSeconds(1)).refusal()).as("not yet")
        .isEqualTo(BookingRefusal.OUTCOME_TOO_EARLY);
    Decision decision = state.noShow("b1", 0, NO_SHOW_AT);
    BookingOutcomeRecorded recorded = (BookingOutcomeRecorded) decision.event();
    assertThat(recorded.outcome()).isEqualTo(Outcome.NO_SHOW);
    assertThat(recorded.roomId()).isNull();
    State after = state.apply(recorded);
    assertThat(after.bookings().get("b1").status()).isEqualTo(Status.NO_SHOW);
    Decision again = after.noShow("b1", 0, NO_SHOW_AT.plusSeconds(60));
    assertThat(again.refusal()).isNull();
    assertThat(again.event()).as("a second check changes nothing").isNull();
  }

  @Test
  void aShopperWhoArrivedIsNoNoShowEvenWhileWaitingForTheFallback() {
    State state = withBooking();
    Decision arrival = state.arrive("b1", START.plusSeconds(90));
    State arrived = state.apply(arrival.event());
    assertThat(arrived.bookings().get("b1").arrivedAt()).isEqualTo(START.plusSeconds(90));
    assertThat(arrived.arrive("b1", START.plusSeconds(120)).event()).as("arrived once").isNull();
    assertThat(arrived.noShow("b1", 0, NO_SHOW_AT.plusSeconds(1)).event()).isNull();
    assertThat(arrived.bookings().get("b1").status()).isEqualTo(Status.BOOKED);
    // The call is accepted (by the booked agent or the fallback): attended with the room.
    State attended = arrived.apply(arrived.recordOutcome("b1", Outcome.ATTENDED, "room-9", null,
        NO_SHOW_AT.plusSeconds(30)).event());
    assertThat(attended.bookings().get("b1").status()).isEqualTo(Status.ATTENDED);
    assertThat(attended.bookings().get("b1").arrivedAt()).as("kept").isEqualTo(START.plusSeconds(90));
  }

  @Test
  void theCheckOfAnOlderSequenceOrOfAnAttendedOrCancelledBookingDoesNothing() {
    State state = withBooking();
    State moved = state.apply(new BookingCalendar.BookingRescheduled("b1", "agent-1", START.plus(Duration.ofHours(2)),
        START.plus(Duration.ofMinutes(150)), 1, MADE.plusSeconds(10)));
    assertThat(moved.noShow("b1", 0, NO_SHOW_AT).event()).as("the old time's check").isNull();
    assertThat(moved.noShow("b1", 1, NO_SHOW_AT).refusal()).as("the new time's check, too early")
        .isEqualTo(BookingRefusal.OUTCOME_TOO_EARLY);
    State attended = state.apply(state.recordOutcome("b1", Outcome.ATTENDED, "room-1", null, START).event());
    assertThat(attended.noShow("b1", 0, NO_SHOW_AT).event()).isNull();
    State cancelled = state.apply(state.cancel("b1", null, false, MADE.plusSeconds(60)).event());
    assertThat(cancelled.noShow("b1", 1, NO_SHOW_AT).event()).isNull();
    assertThat(cancelled.arrive("b1", START).event()).as("a cancelled booking's shopper changes nothing").isNull();
    assertThat(state.noShow("nope", 0, NO_SHOW_AT).refusal()).isEqualTo(BookingRefusal.BOOKING_NOT_FOUND);
  }

  @Test
  void anEarlyArrivalDoesNotCountForTheTimeTheBookingMovedTo() {
    State arrived = withBooking().apply(new BookingCalendar.BookingShopperArrived("b1", START.minusSeconds(300)));
    State reassigned = arrived.apply(new BookingCalendar.BookingReassigned("b1", "agent-1", "agent-2", 1,
        START.minusSeconds(200)));
    assertThat(reassigned.bookings().get("b1").arrivedAt()).as("same time, another agent").isNotNull();
    Instant later = START.plus(Duration.ofHours(3));
    State moved = reassigned.apply(new BookingCalendar.BookingRescheduled("b1", "agent-2", later,
        later.plus(Duration.ofMinutes(30)), 2, START.minusSeconds(100)));
    assertThat(moved.bookings().get("b1").arrivedAt()).isNull();
    assertThat(moved.noShow("b1", 2, later.plus(Duration.ofMinutes(15))).event()).isInstanceOf(BookingOutcomeRecorded.class);
  }

  @Test
  void theNoShowTimeIsThePolicys() {
    State state = withBooking().apply(new BookingCalendar.PolicySet(new BookingPolicy(30, 30, 0, 0, 120, 30, 16, 120,
        null, null, 5, null, null), MADE));
    assertThat(state.noShow("b1", 0, START.plus(Duration.ofMinutes(5)).minusSeconds(1)).refusal())
        .isEqualTo(BookingRefusal.OUTCOME_TOO_EARLY);
    assertThat(state.noShow("b1", 0, START.plus(Duration.ofMinutes(5))).event()).isNotNull();
  }

  private static final Instant END = START.plus(Duration.ofMinutes(30));

  @Test
  void aShopperWhoCameAndLeftWithoutACallIsMissedAtTheBookingsEnd() {
    State waiting = withBooking().apply(withBooking().arrive("b1", START.plusSeconds(60)).event());
    Decision leaving = waiting.leave("b1", START.plusSeconds(300));
    assertThat(leaving.event()).isEqualTo(new BookingCalendar.BookingShopperLeft("b1", START.plusSeconds(300)));
    State left = waiting.apply(leaving.event());
    assertThat(left.noShow("b1", 0, NO_SHOW_AT).event()).as("they came: no no-show").isNull();
    assertThat(left.missed("b1", 0, END.minusSeconds(1)).refusal()).as("not before the end")
        .isEqualTo(BookingRefusal.OUTCOME_TOO_EARLY);
    Decision missed = left.missed("b1", 0, END);
    assertThat(missed.event()).isEqualTo(new BookingOutcomeRecorded("b1", Outcome.MISSED, null, END));
    State after = left.apply(missed.event());
    assertThat(after.bookings().get("b1").status()).isEqualTo(Status.MISSED);
    assertThat(after.missed("b1", 0, END.plusSeconds(60)).event()).as("once").isNull();
    assertThat(after.recordOutcome("b1", Outcome.NO_SHOW, null, null, END.plusSeconds(60)).refusal())
        .isEqualTo(BookingRefusal.OUTCOME_RECORDED);
    assertThat(after.cancel("b1", null, false, END.plusSeconds(60)).refusal()).isEqualTo(BookingRefusal.CHANGE_TOO_LATE);
    assertThat(after.missed("b1", 1, END).event()).as("another sequence's check").isNull();
  }

  @Test
  void aShopperStillWaitingAtTheEndIsTheQueuesToServeAndMissedOnlyWhenTheyLeave() {
    State waiting = withBooking().apply(withBooking().arrive("b1", START.minusSeconds(60)).event());
    assertThat(waiting.missed("b1", 0, END).event()).as("still waiting: the queue may still serve them").isNull();
    assertThat(waiting.missed("b1", 0, END).refusal()).isNull();
    // Served after the end: attended.
    assertThat(waiting.recordOutcome("b1", Outcome.ATTENDED, "room-late", null, END.plusSeconds(120)).event())
        .isInstanceOf(BookingOutcomeRecorded.class);
    // Or gone after the end: missed at once.
    assertThat(waiting.leave("b1", END.plusSeconds(120)).event())
        .isEqualTo(new BookingOutcomeRecorded("b1", Outcome.MISSED, null, END.plusSeconds(120)));
  }

  @Test
  void aShopperWhoComesBackIsWaitingAgainAndAnEarlyLeaverIsANoShow() {
    State state = withBooking();
    State left = state.apply(state.arrive("b1", START.minusSeconds(600)).event())
        .apply(new BookingCalendar.BookingShopperLeft("b1", START.minusSeconds(300)));
    assertThat(left.leave("b1", START).event()).as("left already").isNull();
    // Arrived early and left before the start, never back: not there at their time.
    assertThat(left.noShow("b1", 0, NO_SHOW_AT).event())
        .isEqualTo(new BookingOutcomeRecorded("b1", Outcome.NO_SHOW, null, NO_SHOW_AT));
    assertThat(left.missed("b1", 0, END).event()).as("the no-show check's, not missed").isNull();
    // Back before the no-show time: waiting again, the first arrival kept.
    State back = left.apply(left.arrive("b1", START.plusSeconds(120)).event());
    assertThat(back.bookings().get("b1").arrivedAt()).isEqualTo(START.minusSeconds(600));
    assertThat(back.bookings().get("b1").leftAt()).isNull();
    assertThat(back.noShow("b1", 0, NO_SHOW_AT).event()).isNull();
    assertThat(back.missed("b1", 0, END).event()).isNull();
  }
}
