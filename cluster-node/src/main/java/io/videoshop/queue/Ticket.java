package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A shopper's place in a tenant's queue.
 *
 * @param resumeTokenHash SHA-256 (hex) of the resume token handed to the shopper at join; the token
 *     itself is never stored, so a journal reader cannot take over someone's place
 * @param disconnectedAt when the shopper's socket dropped, null while connected
 * @param booking set when the shopper arrives for a booked appointment (Scheduling), else null
 */
public record Ticket(
    String ticketId, TicketDetails details, String resumeTokenHash, Instant joinedAt, Instant disconnectedAt,
    Booked booking) implements CborSerializable {

  /**
   * A booked shopper's ticket: offered only to {@code agentId} until {@code agentOnlyUntil}, then to
   * any suitable agent, always ahead of walk-ins; not offered before {@code startsAt} (an early
   * arrival waits without losing the slot).
   */
  public record Booked(String bookingId, String agentId, Instant startsAt, Instant agentOnlyUntil)
      implements CborSerializable {

    /** The arrival time the booked agent's window counts from: the start, or a late arrival. */
    public static Booked of(String bookingId, String agentId, Instant startsAt, Instant arrivedAt,
        java.time.Duration agentOnlyFor) {
      Instant from = arrivedAt.isAfter(startsAt) ? arrivedAt : startsAt;
      return new Booked(bookingId, agentId, startsAt, from.plus(agentOnlyFor));
    }
  }

  /** A walk-in's ticket. */
  public Ticket(String ticketId, TicketDetails details, String resumeTokenHash, Instant joinedAt,
      Instant disconnectedAt) {
    this(ticketId, details, resumeTokenHash, joinedAt, disconnectedAt, null);
  }

  public boolean connected() {
    return disconnectedAt == null;
  }

  /** Compares hashes in constant time so the check does not leak how much of a token was right. */
  public boolean resumableWith(String resumeToken) {
    if (resumeToken == null) return false;
    return MessageDigest.isEqual(
        hashOf(resumeToken).getBytes(StandardCharsets.US_ASCII), resumeTokenHash.getBytes(StandardCharsets.US_ASCII));
  }

  /** For subscribers ({@link TenantQueue.State#forSubscriber}): no resume-token hash, personal data as asked. */
  Ticket forSubscriber(boolean withName) {
    return new Ticket(ticketId, details.forSubscriber(withName), "", joinedAt, disconnectedAt, booking);
  }

  Ticket disconnected(Instant at) {
    return new Ticket(ticketId, details, resumeTokenHash, joinedAt, at, booking);
  }

  /** The same ticket with its details as corrected ({@link TenantQueue.TicketDetailsCorrected}). */
  public Ticket withDetails(TicketDetails corrected) {
    return new Ticket(ticketId, corrected, resumeTokenHash, joinedAt, disconnectedAt, booking);
  }

  Ticket reconnected() {
    return new Ticket(ticketId, details, resumeTokenHash, joinedAt, null, booking);
  }

  public static String hashOf(String resumeToken) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(resumeToken.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
