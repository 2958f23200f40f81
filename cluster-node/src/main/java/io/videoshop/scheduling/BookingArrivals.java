package io.videoshop.scheduling;

import io.videoshop.queue.BookedArrivals;
import io.videoshop.queue.Ticket;
import io.videoshop.queue.TicketDetails;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A booked shopper joining the queue with the token of the booking's signed link (the mail's link,
 * or the widget that has it): the link checked for the widget key's tenant, the calendar asked
 * whether the booking may be joined now ({@link BookingCalendar.State#arrival}), and the booking
 * turned into a queue ticket: its own encrypted details (same data subject, so erasing the
 * booking's subject shreds the ticket too) and {@link Ticket.Booked} with the policy's window for
 * the booked agent. Translation only: the calendar decides, the queue routes.
 */
public final class BookingArrivals implements BookedArrivals {
  private final BookingLinks links;
  private final BookingCalendars calendars;
  private final Clock clock;

  public BookingArrivals(BookingLinks links, BookingCalendars calendars, Clock clock) {
    this.links = links;
    this.calendars = calendars;
    this.clock = clock;
  }

  @Override
  public CompletionStage<Arrival> arrive(String tenantId, String token) {
    BookingLinks.Link link;
    try {
      link = links.verifyFor(tenantId, token);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return calendars.<BookingCalendar.BookingReply>ask(tenantId,
            replyTo -> new BookingCalendar.Arrive(link.bookingId(), replyTo))
        .thenApply(reply -> {
          if (!(reply instanceof BookingCalendar.Arrival arrival)) {
            throw BookingCalendars.problemFor(((BookingCalendar.Refused) reply).reason());
          }
          BookingCalendar.Booking booking = arrival.booking();
          return new Arrival(ticketDetails(booking.details()), Ticket.Booked.of(booking.id(), booking.agentId(),
              booking.start(), clock.instant(), arrival.bookedAgentWindow()));
        });
  }

  /** The booking's details as the queue's: the language's primary tag routes as a walk-in's does. */
  static TicketDetails ticketDetails(BookingDetails details) {
    String language = details.language() == null ? null
        : details.language().split("-")[0].toLowerCase(Locale.ROOT);
    return new TicketDetails(details.subjectId(), details.name(), details.email(), details.phone(), details.notes(),
        language, null, details.productInterest(), null, details.consent());
  }
}
