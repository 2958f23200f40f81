package io.videoshop.access;

import io.videoshop.audit.AuditLog;
import io.videoshop.http.ApiError;
import io.videoshop.http.FieldError;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * API keys for merchants' servers: created by owners and admins with scopes, shown once, stored
 * as SHA-256 digests, revocable; each use records the last-used time and counts toward the
 * key's usage of the day (UTC). Blocking: call on the blocking dispatcher.
 */
public final class ApiKeys {
  public static final String PREFIX = "vsk_";
  /** With users:write, lets a key invite admins and owners too (without it: agents only). */
  public static final String GRANT_ADMINS_SCOPE = "users:admins";
  /** Every scope a key may hold; routes name the one they need. */
  public static final Set<String> SCOPES = Set.of(
      "tenant:read", "tenant:write", "users:read", "users:write", GRANT_ADMINS_SCOPE, "widget-keys:read",
      "widget-keys:write", "audit:read", "calls:read", "billing:read", "bookings:read", "bookings:write",
      "reports:read", "webhooks:read", "webhooks:write");

  private final Jdbi jdbi;
  private final AuditLog audit;
  private final Clock clock;

  public ApiKeys(Jdbi jdbi, AuditLog audit, Clock clock) {
    this.jdbi = jdbi;
    this.audit = audit;
    this.clock = clock;
  }

  public record CreateApiKey(String name, List<String> scopes) {}

  public record ApiKey(String id, String tenantId, String name, String prefix, List<String> scopes, String createdBy,
      Instant createdAt, Instant lastUsedAt, Instant revokedAt) {}

  /** The one response that shows the secret. */
  public record CreatedApiKey(ApiKey apiKey, String key) {}

  public record DailyUsage(LocalDate day, long requests) {}

  public CreatedApiKey create(Caller caller, String tenantId, CreateApiKey request) {
    List<FieldError> errors = new ArrayList<>();
    if (request.name() == null || request.name().isBlank() || request.name().length() > 200) {
      errors.add(new FieldError("name", "invalid_name", "must be 1 to 200 characters"));
    }
    if (request.scopes() == null || request.scopes().isEmpty()) {
      errors.add(new FieldError("scopes", "required", "at least one scope of " + new java.util.TreeSet<>(SCOPES)));
    } else {
      for (int i = 0; i < request.scopes().size(); i++) {
        if (!SCOPES.contains(request.scopes().get(i))) {
          errors.add(new FieldError("scopes[" + i + "]", "unknown_scope", "must be one of " + new java.util.TreeSet<>(SCOPES)));
        }
      }
    }
    if (!errors.isEmpty()) throw ApiError.invalid(errors);
    String secret = Secrets.newSecret(PREFIX);
    Instant now = clock.instant();
    ApiKey key = new ApiKey(UUID.randomUUID().toString(), tenantId, request.name().trim(), secret.substring(0, 12),
        List.copyOf(new LinkedHashSet<>(request.scopes())), caller.id(), now, null, null);
    return jdbi.inTransaction(handle -> {
      handle.createUpdate("""
              INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_by, created_at)
              VALUES (:id, :tenantId, :name, :prefix, :hash, :scopes, :createdBy, :now)""")
          .bind("id", key.id()).bind("tenantId", tenantId).bind("name", key.name()).bind("prefix", key.prefix())
          .bind("hash", Secrets.sha256(secret)).bind("scopes", String.join(" ", key.scopes()))
          .bind("createdBy", caller.id()).bind("now", now)
          .execute();
      audit.record(handle, caller, new AuditLog.Change(tenantId, "api_key.created", "api_key", key.id(), null, key));
      return new CreatedApiKey(key, secret);
    });
  }

  public List<ApiKey> list(String tenantId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM api_keys WHERE tenant_id = :tenantId ORDER BY created_at DESC LIMIT 500")
        .bind("tenantId", tenantId).map((rs, ctx) -> key(rs)).list());
  }

  public ApiKey revoke(Caller caller, String tenantId, String keyId) {
    return jdbi.inTransaction(handle -> {
      ApiKey before = handle.createQuery("SELECT * FROM api_keys WHERE id = :id AND tenant_id = :tenantId FOR UPDATE")
          .bind("id", keyId).bind("tenantId", tenantId).map((rs, ctx) -> key(rs)).findOne()
          .orElseThrow(() -> ApiError.notFound("api_key_not_found", "No API key " + keyId));
      if (before.revokedAt() != null) throw ApiError.conflict("api_key_already_revoked", "The key is already revoked");
      Instant now = clock.instant();
      handle.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id").bind("now", now).bind("id", keyId).execute();
      ApiKey after = new ApiKey(before.id(), before.tenantId(), before.name(), before.prefix(), before.scopes(),
          before.createdBy(), before.createdAt(), before.lastUsedAt(), now);
      audit.record(handle, caller, new AuditLog.Change(tenantId, "api_key.revoked", "api_key", keyId, before, after));
      return after;
    });
  }

  public List<DailyUsage> usage(String tenantId, String keyId) {
    return jdbi.withHandle(handle -> {
      handle.createQuery("SELECT id FROM api_keys WHERE id = :id AND tenant_id = :tenantId")
          .bind("id", keyId).bind("tenantId", tenantId).mapTo(String.class).findOne()
          .orElseThrow(() -> ApiError.notFound("api_key_not_found", "No API key " + keyId));
      return handle.createQuery(
              "SELECT usage_day, requests FROM api_key_usage WHERE key_id = :id ORDER BY usage_day DESC LIMIT 90")
          .bind("id", keyId)
          .map((rs, ctx) -> new DailyUsage(rs.getDate(1).toLocalDate(), rs.getLong(2))).list();
    });
  }

  /**
   * The caller a presented key stands for, counting the use; 401 for an unknown or revoked key.
   */
  public Caller authenticate(String presented, String ip, String userAgent) {
    Instant now = clock.instant();
    LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
    return jdbi.inTransaction(handle -> {
      ApiKey key = handle.createQuery("SELECT * FROM api_keys WHERE key_hash = :hash")
          .bind("hash", Secrets.sha256(presented)).map((rs, ctx) -> key(rs)).findOne()
          .filter(found -> found.revokedAt() == null)
          .orElseThrow(() -> ApiError.unauthorized("invalid_api_key", "The API key is not valid"));
      handle.createUpdate("UPDATE api_keys SET last_used_at = :now WHERE id = :id").bind("now", now).bind("id", key.id()).execute();
      int updated = handle.createUpdate(
              "UPDATE api_key_usage SET requests = requests + 1 WHERE key_id = :id AND usage_day = :day")
          .bind("id", key.id()).bind("day", today).execute();
      if (updated == 0) {
        handle.createUpdate("INSERT INTO api_key_usage (key_id, usage_day, requests) VALUES (:id, :day, 1)")
            .bind("id", key.id()).bind("day", today).execute();
      }
      return new Caller(Caller.Kind.API_KEY, key.id(), key.tenantId(), null, Set.copyOf(key.scopes()), ip, userAgent);
    });
  }

  private static ApiKey key(ResultSet rs) throws SQLException {
    return new ApiKey(rs.getString("id"), rs.getString("tenant_id"), rs.getString("name"), rs.getString("prefix"),
        Arrays.asList(rs.getString("scopes").split(" ")), rs.getString("created_by"),
        rs.getTimestamp("created_at").toInstant(), instant(rs, "last_used_at"), instant(rs, "revoked_at"));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    var timestamp = rs.getTimestamp(column);
    return timestamp == null ? null : timestamp.toInstant();
  }
}
