package io.videoshop.notification;

/**
 * Delivers one kind of outbox row (mail, push, later webhooks). The workers call it on their own
 * threads, so it may block; it answers what became of the row and the workers do the rest
 * (mark delivered, schedule the next attempt with backoff, dead-letter, or drop).
 */
public interface Channel {

  /** The {@code kind} of the rows this channel delivers, e.g. {@link Outbox#MAIL}. */
  String kind();

  /** Delivers the message once. Must not throw for a delivery failure: answer a {@link Delivery}. */
  Delivery deliver(OutboxMessage message);

  /** What became of one attempt. Reasons are stored and shown to admins: never put a secret in one. */
  sealed interface Delivery {
    /** The receiving side has it. */
    record Delivered() implements Delivery {}

    /** A temporary failure (4xx, a connection refused, a time-out): try again after backoff. */
    record RetryLater(String reason) implements Delivery {}

    /** The receiving side refused it for good (5xx): no more attempts, the row is dead-lettered. */
    record PermanentFailure(String reason) implements Delivery {}

    /** The destination no longer exists (an expired push subscription): the row is dropped. */
    record Gone(String reason) implements Delivery {}

    Delivery DELIVERED = new Delivered();
  }
}
