package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import java.time.Instant;

/**
 * A ticket offered to one agent, who accepts it before {@code expiresAt} or loses it: the ticket
 * then keeps its place in the queue and the next suitable agent is tried.
 */
public record Reservation(String reservationId, String ticketId, String agentId, Instant offeredAt, Instant expiresAt)
    implements CborSerializable {}
