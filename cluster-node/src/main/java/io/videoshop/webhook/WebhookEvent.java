package io.videoshop.webhook;

import io.videoshop.persistence.privacy.EncryptedPersonalData;
import java.time.Instant;
import java.util.Map;

/**
 * One event of the catalog (docs/webhooks.md, "Events"), made from an entity's journal event
 * before it is addressed to endpoints.
 *
 * @param entity the entity's persistence id ({@code TenantQueue|t_1}); with {@code sequence} (its
 *     event's sequence number in the journal) receivers order an entity's events
 * @param data the event's fields, without personal data
 * @param personal the shopper's name, email and phone as the journal holds them (encrypted), added
 *     only for endpoints that ask for personal data; null when the event has none
 */
public record WebhookEvent(String type, String tenantId, String entity, long sequence, Instant timestamp,
    Map<String, Object> data, Personal personal) {

  /** Encrypted under {@code subjectId}; a shredded subject decrypts to nothing. */
  public record Personal(String subjectId, EncryptedPersonalData name, EncryptedPersonalData email,
      EncryptedPersonalData phone) {}
}
