package io.videoshop.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoshop.http.Json;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.privacy.ErasureStep;
import io.videoshop.privacy.ErasureTarget;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;

/**
 * Erasing a shopper in the webhook delivery log: every message body that carries the shopper's
 * name, email or phone (found by {@code personal_subject}) loses them, pending or not (a resend
 * copies the body); then the tenant's endpoints that want it get a {@code subject.erased} naming
 * the shopper's tickets, bookings and calls, so merchants' systems can erase their copies. Runs
 * before the subject keys are shredded; idempotent (a second run finds nothing to strip, and
 * {@code subject.erased} has one id per endpoint and shopper).
 */
public final class WebhookErasureStep implements ErasureStep {
  static final List<String> PERSONAL_FIELDS = List.of("name", "email", "phone");

  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final WebhookDeliveries deliveries;
  private final Clock clock;

  public WebhookErasureStep(Jdbi jdbi, PersonalDataVault vault, WebhookDeliveries deliveries, Clock clock) {
    this.jdbi = jdbi;
    this.vault = vault;
    this.deliveries = deliveries;
    this.clock = clock;
  }

  @Override
  public String store() {
    return "webhook_messages";
  }

  @Override
  public int erase(ErasureTarget target) throws Exception {
    if (target.isEmpty()) return 0;
    return jdbi.inTransaction(handle -> {
      int changed = 0;
      List<Map<String, Object>> rows = handle.createQuery("""
              SELECT ordinal, endpoint_id, body_sealed FROM webhook_messages
              WHERE tenant_id = :tenant AND personal_subject IN (<subjects>)""")
          .bind("tenant", target.tenantId()).bindList("subjects", List.copyOf(target.subjectIds()))
          .mapToMap().list();
      for (Map<String, Object> row : rows) {
        String endpointId = (String) row.get("endpoint_id");
        DecryptedPersonalData body = vault.decrypt(
            new EncryptedPersonalData(WebhookEndpoints.subjectOf(endpointId), (String) row.get("body_sealed")));
        String stripped = null;
        if (!body.erased()) {
          ObjectNode envelope = (ObjectNode) Json.MAPPER.readTree(body.value());
          if (envelope.get("data") instanceof ObjectNode data) data.remove(PERSONAL_FIELDS);
          stripped = vault.encrypt(WebhookEndpoints.subjectOf(endpointId), Json.write(envelope)).ciphertext();
        }
        changed += handle.createUpdate("""
                UPDATE webhook_messages SET body_sealed = COALESCE(:body, body_sealed), personal_subject = NULL
                WHERE ordinal = :ordinal""")
            .bind("body", stripped).bind("ordinal", ((Number) row.get("ordinal")).longValue()).execute();
      }
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("ticketIds", new ArrayList<>(new TreeSet<>(target.ticketIds())));
      data.put("bookingIds", new ArrayList<>(new TreeSet<>(target.bookingIds())));
      data.put("callIds", new ArrayList<>(new TreeSet<>(target.roomIds())));
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("tenantId", target.tenantId());
      all.putAll(data);
      // The shopper as an entity of its own: its subjects (pseudonymous ids) name it, one event.
      String entity = "Shopper|" + String.join(",", new TreeSet<>(target.subjectIds()));
      changed += deliveries.fanOut(handle.getConnection(),
          new WebhookEvent("subject.erased", target.tenantId(), entity, 1, clock.instant(), all, null), null);
      return changed;
    });
  }
}
