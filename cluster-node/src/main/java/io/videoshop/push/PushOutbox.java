package io.videoshop.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoshop.notification.Outbox;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Puts pushes for a user into the outbox, one row per subscribed browser, in the caller's
 * transaction (the cause's, or an exactly-once projection's). Nothing is queued for a user who
 * turned push off or has no subscription. The row holds the push until {@code expiresAt}, its
 * deadline: the TTL sent is what is left of it.
 */
public final class PushOutbox {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PushOutbox() {}

  /** One outbox row's payload (stored encrypted by the outbox under the user's subject). */
  record Row(String subscriptionId, String topic, PushMessage.Urgency urgency, Instant expiresAt, String payload) {

    String write() {
      ObjectNode node = JSON.createObjectNode();
      node.put("subscriptionId", subscriptionId);
      node.put("topic", topic);
      node.put("urgency", urgency.name());
      node.put("expiresAt", expiresAt.toString());
      node.put("payload", payload);
      try {
        return JSON.writeValueAsString(node);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static Row read(String json) {
      JsonNode node;
      try {
        node = JSON.readTree(json);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("a push row is not JSON", e);
      }
      return new Row(node.get("subscriptionId").asText(), node.hasNonNull("topic") ? node.get("topic").asText() : null,
          PushMessage.Urgency.valueOf(node.get("urgency").asText()), Instant.parse(node.get("expiresAt").asText()),
          node.get("payload").asText());
    }
  }

  /**
   * Queues {@code push} for each of the user's browsers over a projection's connection.
   *
   * @param kind the outbox topic (its metrics label): {@code offer}, {@code reminder}, ...
   * @param dedupKey what makes a second queueing of the same cause a no-op (per browser)
   * @return how many rows were queued
   */
  public static int enqueue(Outbox outbox, Connection connection, String kind, String tenantId, String userId,
      PushMessage push, Instant expiresAt, String dedupKey) throws SQLException {
    return enqueue(outbox, connection, kind, tenantId, userId, push, null, expiresAt, dedupKey);
  }

  /** As above, not sent before {@code dueAt} (null: now), e.g. an appointment reminder. */
  public static int enqueue(Outbox outbox, Connection connection, String kind, String tenantId, String userId,
      PushMessage push, Instant dueAt, Instant expiresAt, String dedupKey) throws SQLException {
    List<String> recipients = PushSubscriptions.recipients(connection, userId);
    int queued = 0;
    for (String subscriptionId : recipients) {
      Row row = new Row(subscriptionId, push.topic(), push.urgency(), expiresAt,
          new String(push.payload(), StandardCharsets.UTF_8));
      if (outbox.enqueue(connection, new Outbox.Draft(Outbox.PUSH, kind, tenantId, PushSubscriptions.subjectOf(userId),
          row.write(), dedupKey + ":" + subscriptionId), dueAt).isPresent()) {
        queued++;
      }
    }
    return queued;
  }

  /** As above, in a Jdbi transaction (a cause that writes its own change, e.g. a booking's reminder). */
  public static int enqueue(Outbox outbox, Handle handle, String kind, String tenantId, String userId,
      PushMessage push, Instant expiresAt, String dedupKey) {
    try {
      return enqueue(outbox, handle.getConnection(), kind, tenantId, userId, push, expiresAt, dedupKey);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write pushes to the outbox", e);
    }
  }
}
