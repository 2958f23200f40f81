package io.videoshop.queue;

/**
 * What a shopper's session hears from its node's {@link QueueFeed} about the one ticket it follows,
 * only when something changed for it ({@link QueueReplica#news}).
 */
sealed interface TicketNews extends org.apache.pekko.actor.NoSerializationVerificationNeeded {
  String ticketId();

  /** A new position or estimate (null: no agent on duty). */
  record Standing(String ticketId, int position, WaitEstimate.Range estimatedWait) implements TicketNews {}

  /** An agent accepted the ticket: the call room. {@code subjectId} null when the feed did not see the ticket. */
  record Assigned(String ticketId, String agentId, String roomId, String subjectId) implements TicketNews {}

  /** The queue let the ticket go (reconnect grace over, or the maximum wait reached). */
  record Abandoned(String ticketId, TenantQueue.AbandonReason reason) implements TicketNews {}

  /** The ticket left the queue in changes this feed did not see (a gap): ask the queue where it went. */
  record Gone(String ticketId) implements TicketNews {}
}
