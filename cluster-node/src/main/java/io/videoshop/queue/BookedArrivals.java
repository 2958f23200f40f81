package io.videoshop.queue;

import java.util.concurrent.CompletionStage;

/**
 * A booked shopper arriving (Scheduling's side, {@code scheduling.BookingArrivals}): the booking
 * a signed link's token names, turned into the ticket the queue routes to the booked agent first.
 * Completes exceptionally with a {@code DomainError} whose code the widget gets (e.g.
 * {@code invalid_booking_link}, {@code booking_cancelled}, {@code arrival_too_early}).
 */
@FunctionalInterface
public interface BookedArrivals {
  CompletionStage<Arrival> arrive(String tenantId, String token);

  /** The ticket's details (the booking's own, still encrypted under its data subject) and its booking. */
  record Arrival(TicketDetails details, Ticket.Booked booking) {}

}
