package io.videoshop.webhook;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.WebhookSettings;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A tenant's webhook endpoints ({@code webhook_endpoints}): where its events go, which types, and
 * the signing secret, shown once when made or rotated. The secret is kept sealed by the
 * personal-data vault (subject {@code webhook-endpoint-<id>}, erased with the endpoint). A
 * rotation keeps the previous secret signing for {@link #ROTATION_OVERLAP}. Every change is
 * audited in its own transaction. Every method does JDBC: call it on the blocking dispatcher.
 */
public final class WebhookEndpoints {
  public static final Duration ROTATION_OVERLAP = Duration.ofHours(24);
  static final int MAX_URL_LENGTH = 2048;
  static final int MAX_DESCRIPTION_LENGTH = 500;
  static final String ALL_TYPES = "*";

  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final AuditLog audit;
  private final WebhookSettings settings;
  private final Clock clock;

  public WebhookEndpoints(Jdbi jdbi, PersonalDataVault vault, AuditLog audit, WebhookSettings settings, Clock clock) {
    this.jdbi = jdbi;
    this.vault = vault;
    this.audit = audit;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * What an admin sends to register or replace an endpoint.
   *
   * @param eventTypes the types wanted; null or empty: every type
   * @param enabled null: true
   * @param includePersonalData null: false (names, emails and phones are left out of the events)
   */
  public record EndpointRequest(String url, String description, List<String> eventTypes, Boolean enabled,
      Boolean includePersonalData) {}

  /** An endpoint as admins see it: never its secret. {@code eventTypes} empty means every type. */
  public record Endpoint(String id, String tenantId, String url, String description, List<String> eventTypes,
      boolean enabled, boolean includePersonalData, String disabledReason, Instant previousSecretValidUntil,
      Instant createdAt, Instant updatedAt) {}

  /** An endpoint with its new secret: the only time the secret is shown. */
  public record EndpointWithSecret(Endpoint endpoint, String secret) {}

  /** The secrets that sign a message now: the current one first, then the previous during a rotation. */
  public record SigningSecrets(List<String> secrets) {
    @Override
    public String toString() {
      return "SigningSecrets[" + secrets.size() + "]";
    }
  }

  static String subjectOf(String endpointId) {
    return "webhook-endpoint-" + endpointId;
  }

  public EndpointWithSecret create(Caller caller, String tenantId, EndpointRequest request) {
    Checked checked = check(request);
    String id = "whep_" + UUID.randomUUID().toString().replace("-", "");
    String secret = WebhookSignature.newSecret();
    EncryptedPersonalData sealed = vault.encrypt(subjectOf(id), secret);
    Instant now = clock.instant();
    Endpoint created = jdbi.inTransaction(handle -> {
      int count = handle.createQuery("SELECT COUNT(*) FROM webhook_endpoints WHERE tenant_id = :t")
          .bind("t", tenantId).mapTo(Integer.class).one();
      if (count >= settings.maxEndpointsPerTenant()) {
        throw WebhookRefused.of(WebhookRefused.Reason.LIMIT_REACHED, "webhook_endpoint_limit",
            "At most " + settings.maxEndpointsPerTenant() + " webhook endpoints per tenant; remove one first");
      }
      handle.createUpdate("""
              INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, enabled,
                include_personal_data, secret_sealed, created_at, updated_at)
              VALUES (:id, :tenant, :url, :description, :types, :enabled, :personal, :secret, :now, :now)""")
          .bind("id", id).bind("tenant", tenantId).bind("url", checked.url).bind("description", checked.description)
          .bind("types", checked.types).bind("enabled", checked.enabled).bind("personal", checked.personal)
          .bind("secret", sealed.ciphertext()).bind("now", Timestamp.from(now)).execute();
      Endpoint endpoint = find(handle, tenantId, id).orElseThrow();
      audit.record(handle, caller, new AuditLog.Change(tenantId, "webhook_endpoint.created", "webhook_endpoint", id,
          null, endpoint));
      return endpoint;
    });
    return new EndpointWithSecret(created, secret);
  }

  public List<Endpoint> list(String tenantId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM webhook_endpoints WHERE tenant_id = :t ORDER BY created_at, id")
        .bind("t", tenantId).map((rs, ctx) -> view(rs)).list());
  }

  public Endpoint get(String tenantId, String endpointId) {
    return jdbi.withHandle(handle -> find(handle, tenantId, endpointId)).orElseThrow(WebhookEndpoints::notFound);
  }

  /** Replaces the endpoint's settings; enabling it again clears why it was disabled. */
  public Endpoint replace(Caller caller, String tenantId, String endpointId, EndpointRequest request) {
    return jdbi.inTransaction(handle -> {
      Endpoint before = find(handle, tenantId, endpointId).orElseThrow(WebhookEndpoints::notFound);
      Checked checked = check(request); // after the look-up: another tenant's id is not found, whatever the body
      handle.createUpdate("""
              UPDATE webhook_endpoints SET url = :url, description = :description, event_types = :types,
                enabled = :enabled, include_personal_data = :personal, updated_at = :now,
                disabled_reason = CASE WHEN :enabled THEN NULL ELSE disabled_reason END
              WHERE id = :id AND tenant_id = :tenant""")
          .bind("url", checked.url).bind("description", checked.description).bind("types", checked.types)
          .bind("enabled", checked.enabled).bind("personal", checked.personal)
          .bind("now", Timestamp.from(clock.instant())).bind("id", endpointId).bind("tenant", tenantId).execute();
      Endpoint after = find(handle, tenantId, endpointId).orElseThrow();
      audit.record(handle, caller, new AuditLog.Change(tenantId, "webhook_endpoint.changed", "webhook_endpoint",
          endpointId, before, after));
      return after;
    });
  }

  public void delete(Caller caller, String tenantId, String endpointId) {
    jdbi.useTransaction(handle -> {
      Endpoint before = find(handle, tenantId, endpointId).orElseThrow(WebhookEndpoints::notFound);
      handle.createUpdate("DELETE FROM webhook_endpoints WHERE id = :id").bind("id", endpointId).execute();
      audit.record(handle, caller, new AuditLog.Change(tenantId, "webhook_endpoint.deleted", "webhook_endpoint",
          endpointId, before, null));
    });
    vault.erase(subjectOf(endpointId));
  }

  /**
   * A new secret; the current one becomes the previous and keeps signing for 24 hours (a
   * previous one still in its window is replaced: receivers had a day to switch).
   */
  public EndpointWithSecret rotateSecret(Caller caller, String tenantId, String endpointId) {
    String secret = WebhookSignature.newSecret();
    EncryptedPersonalData sealed = vault.encrypt(subjectOf(endpointId), secret);
    Instant now = clock.instant();
    Endpoint rotated = jdbi.inTransaction(handle -> {
      Endpoint before = find(handle, tenantId, endpointId).orElseThrow(WebhookEndpoints::notFound);
      handle.createUpdate("""
              UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = :until,
                secret_sealed = :secret, updated_at = :now WHERE id = :id AND tenant_id = :tenant""")
          .bind("until", Timestamp.from(now.plus(ROTATION_OVERLAP))).bind("secret", sealed.ciphertext())
          .bind("now", Timestamp.from(now)).bind("id", endpointId).bind("tenant", tenantId).execute();
      Endpoint after = find(handle, tenantId, endpointId).orElseThrow();
      audit.record(handle, caller, new AuditLog.Change(tenantId, "webhook_endpoint.secret_rotated",
          "webhook_endpoint", endpointId, before, after));
      return after;
    });
    return new EndpointWithSecret(rotated, secret);
  }

  /** The secrets that sign a message for this endpoint at this moment (blocking). */
  public Optional<SigningSecrets> signingSecrets(String endpointId) {
    Instant now = clock.instant();
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT secret_sealed, previous_secret_sealed, previous_secret_until FROM webhook_endpoints WHERE id = :id""")
        .bind("id", endpointId)
        .map((rs, ctx) -> sealedSigning(rs.getString("secret_sealed"), rs.getString("previous_secret_sealed"),
            rs.getTimestamp("previous_secret_until"), now))
        .findOne())
        .flatMap(sealed -> signing(vault.decrypt(subjectOf(endpointId), sealed)));
  }

  /** Which of an endpoint's sealed secrets sign at {@code now}: the current one, the previous one until its day ends. */
  static List<String> sealedSigning(String current, String previous, Timestamp previousUntil, Instant now) {
    List<String> sealed = new ArrayList<>(2);
    sealed.add(current);
    if (previous != null && previousUntil != null && previousUntil.toInstant().isAfter(now)) sealed.add(previous);
    return sealed;
  }

  /** The secrets among the opened ones that are not erased; empty when none is left. */
  static Optional<SigningSecrets> signing(List<DecryptedPersonalData> opened) {
    List<String> secrets = opened.stream().filter(o -> o != null && !o.erased()).map(DecryptedPersonalData::value)
        .toList();
    return secrets.isEmpty() ? Optional.empty() : Optional.of(new SigningSecrets(secrets));
  }

  private record Checked(String url, String description, String types, boolean enabled, boolean personal) {}

  private Checked check(EndpointRequest request) {
    if (request == null) throw WebhookRefused.invalid("url", "required", "is required");
    URI url = checkUrl(request.url());
    String description = request.description() == null ? "" : request.description().strip();
    if (description.length() > MAX_DESCRIPTION_LENGTH) {
      throw WebhookRefused.invalid("description", "too_long", "at most " + MAX_DESCRIPTION_LENGTH + " characters");
    }
    TreeSet<String> types = new TreeSet<>();
    if (request.eventTypes() != null) {
      for (int i = 0; i < request.eventTypes().size(); i++) {
        String type = request.eventTypes().get(i);
        if (type == null || !WebhookEvents.TYPES.contains(type)) {
          throw WebhookRefused.invalid("eventTypes[" + i + "]", "unknown_event_type",
              "must be one of " + new TreeSet<>(WebhookEvents.TYPES));
        }
        types.add(type);
      }
    }
    return new Checked(url.toString(), description, types.isEmpty() ? ALL_TYPES : String.join(" ", types),
        request.enabled() == null || request.enabled(), Boolean.TRUE.equals(request.includePersonalData()));
  }

  /** An absolute https URL (http only to a host the platform allows), without user info or fragment. */
  URI checkUrl(String raw) {
    if (raw == null || raw.isBlank()) throw WebhookRefused.invalid("url", "required", "is required");
    if (raw.length() > MAX_URL_LENGTH) {
      throw WebhookRefused.invalid("url", "too_long", "at most " + MAX_URL_LENGTH + " characters");
    }
    URI url;
    try {
      url = new URI(raw.strip());
    } catch (URISyntaxException e) {
      throw WebhookRefused.invalid("url", "invalid_url", "must be an absolute https:// URL");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (url.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw WebhookRefused.invalid("url", "invalid_url", "must be an absolute https:// URL");
    }
    if (url.getRawUserInfo() != null || url.getRawFragment() != null) {
      throw WebhookRefused.invalid("url", "invalid_url", "must carry no user name, password or #fragment");
    }
    if (scheme.equals("http") && !settings.allowedHosts().contains(url.getHost().toLowerCase(Locale.ROOT))) {
      throw WebhookRefused.invalid("url", "https_required",
          "must use https:// (plain http only to hosts the platform allows)");
    }
    return url;
  }

  private static Optional<Endpoint> find(Handle handle, String tenantId, String endpointId) {
    return handle.createQuery("SELECT * FROM webhook_endpoints WHERE id = :id AND tenant_id = :t")
        .bind("id", endpointId).bind("t", tenantId).map((rs, ctx) -> view(rs)).findOne();
  }

  private static Endpoint view(ResultSet rs) throws SQLException {
    String types = rs.getString("event_types");
    Timestamp until = rs.getTimestamp("previous_secret_until");
    return new Endpoint(rs.getString("id"), rs.getString("tenant_id"), rs.getString("url"),
        rs.getString("description"), ALL_TYPES.equals(types) ? List.of() : Arrays.asList(types.split(" ")),
        rs.getBoolean("enabled"), rs.getBoolean("include_personal_data"), rs.getString("disabled_reason"),
        until == null ? null : until.toInstant(), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }

  private static WebhookRefused notFound() {
    return WebhookRefused.of(WebhookRefused.Reason.NOT_FOUND, "webhook_endpoint_not_found",
        "This tenant has no webhook endpoint with this id");
  }
}
