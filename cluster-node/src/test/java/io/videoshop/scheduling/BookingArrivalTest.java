package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.queue.TicketDetails;
import io.videoshop.scheduling.BookingCalendar.Arrival;
import io.videoshop.scheduling.BookingCalendar.Booking;
import io.videoshop.scheduling.BookingCalendar.BookingMade;
import io.videoshop.scheduling.BookingCalendar.Outcome;
import io.videoshop.scheduling.BookingCalendar.PolicySet;
import io.videoshop.scheduling.BookingCalendar.Refused;
import io.videoshop.scheduling.BookingCalendar.State;
import io.videoshop.scheduling.BookingCalendar.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a booked shopper may join the queue, on the calendar's state alone, and the ticket their booking makes. */
class BookingArrivalTest {
  private static final Instant START = Instant.parse("2026-03-10T14:00:00Z");
  private static final Instant MADE = START.minus(Duration.ofDays(1));
  private static final BookingPolicy POLICY = new BookingPolicy(30, 30, 0, 0, 120, 30, 16, 120, null, null, null, 3, 10);

  private static State withBooking() {
    Booking booking = new Booking("b1", "agent-1", false, START, START.plus(Duration.ofMinutes(30)), Status.BOOKED, 0,
        null, MADE, MADE, null, null);
    return State.EMPTY.apply(new PolicySet(POLICY, MADE)).apply(new BookingMade(booking, MADE));
  }

  private static BookingRefusal refusal(State state, String bookingId, Instant now) {
    return state.arrival(bookingId, now) instanceof Refused refused ? refused.reason() : null;
  }

  @Test
  void joinableFromTheEarlyArrivalUntilTheEndWithThePolicysWindowForTheBookedAgent() {
    State state = withBooking();
    assertThat(refusal(state, "b1", START.minus(Duration.ofMinutes(10)).minusSeconds(1)))
        .isEqualTo(BookingRefusal.ARRIVAL_TOO_EARLY);
    Arrival early = (Arrival) state.arrival("b1", START.minus(Duration.ofMinutes(10)));
    assertThat(early.booking().agentId()).isEqualTo("agent-1");
    assertThat(early.bookedAgentWindow()).isEqualTo(Duration.ofMinutes(3));
    assertThat(state.arrival("b1", START.plus(Duration.ofMinutes(29)))).as("late, still within it")
        .isInstanceOf(Arrival.class);
    assertThat(refusal(state, "b1", START.plus(Duration.ofMinutes(30)))).isEqualTo(BookingRefusal.BOOKING_OVER);
    assertThat(refusal(state, "nope", START)).isEqualTo(BookingRefusal.BOOKING_NOT_FOUND);
  }

  @Test
  void cancelledOrOverBookingsCannotBeJoined() {
    State state = withBooking();
    State cancelled = state.apply(state.cancel("b1", null, true, MADE.plusSeconds(60)).event());
    assertThat(refusal(cancelled, "b1", START)).isEqualTo(BookingRefusal.BOOKING_CANCELLED);
    State attended = state.apply(state.recordOutcome("b1", Outcome.ATTENDED, "room-1", null, START.plusSeconds(60)).event());
    assertThat(refusal(attended, "b1", START.plusSeconds(90))).isEqualTo(BookingRefusal.BOOKING_OVER);
  }

  @Test
  void theTicketIsTheBookingsOwnEncryptedDetailsUnderItsSubject() {
    EncryptedPersonalData name = new EncryptedPersonalData("booking-1", "c-name");
    EncryptedPersonalData email = new EncryptedPersonalData("booking-1", "c-email");
    BookingDetails details = new BookingDetails("booking-1", name, email, null, null, "winter coats", "Europe/Berlin",
        true, "de-AT");
    TicketDetails ticket = BookingArrivals.ticketDetails(details);
    assertThat(ticket.subjectId()).isEqualTo("booking-1");
    assertThat(ticket.name()).isSameAs(name);
    assertThat(ticket.email()).isSameAs(email);
    assertThat(ticket.language()).as("routed as a walk-in's primary tag").isEqualTo("de");
    assertThat(ticket.productInterest()).isEqualTo("winter coats");
    assertThat(ticket.wellFormed()).isTrue();
  }

  @Test
  void thePolicysArrivalFieldsHaveDefaultsAndRanges() {
    BookingPolicy defaults = BookingPolicy.defaults();
    assertThat(defaults.bookedAgentWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(defaults.earlyArrival()).isEqualTo(Duration.ofMinutes(15));
    assertThat(new BookingPolicy(30, 30, 0, 0, 120, 30, 16, 120, List.of(), 0, null, 61, 121).problems())
        .extracting(problem -> problem.field()).containsExactly("bookedAgentMinutes", "earlyArrivalMinutes");
  }
}
