package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A tenant's queue as its clients see it at one moment. Shoppers' sockets pick their own ticket
 * (position, estimated wait); agents' sockets show all of it. Personal fields stay encrypted: the
 * socket layer decrypts them for the agents allowed to see them.
 *
 * @param tickets waiting tickets, head first
 * @param agents every agent the queue knows, in the order they first announced a presence
 * @param reservations open offers
 */
public record QueueView(
    String tenantId,
    Instant at,
    boolean open,
    Instant nextOpeningAt,
    boolean suspended,
    QueueSettings settings,
    List<WaitingTicket> tickets,
    List<Agent> agents,
    List<Reservation> reservations)
    implements CborSerializable {

  /**
   * One waiting ticket.
   *
   * @param position 1 for the head of the queue
   * @param connected false while the shopper's socket is gone (within the reconnect grace)
   * @param reservationId the open offer for this ticket, else null
   * @param estimatedWait null when no agent is on duty
   */
  public record WaitingTicket(
      String ticketId,
      int position,
      TicketDetails details,
      Instant joinedAt,
      boolean connected,
      String reservationId,
      WaitEstimate.Range estimatedWait)
      implements CborSerializable {}

  public Optional<WaitingTicket> ticket(String ticketId) {
    return tickets.stream().filter(ticket -> ticket.ticketId().equals(ticketId)).findFirst();
  }
}
