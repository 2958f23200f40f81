package io.videoshop.notification;

import java.time.Instant;

/**
 * A claimed outbox row with its payload decrypted, as a {@link Channel} sees it.
 *
 * @param attempt the number of this attempt, 1 for the first
 */
public record OutboxMessage(long id, String kind, String topic, String tenantId, String subjectId, String payload,
    int attempt, Instant createdAt) {

  @Override
  public String toString() {
    // The payload may hold a token or a link: never in a log line.
    return "OutboxMessage[id=" + id + ", kind=" + kind + ", topic=" + topic + ", tenant=" + tenantId + ", attempt="
        + attempt + "]";
  }
}
