package io.videoshop.access;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;

/**
 * API keys for merchants' servers: created by owners and admins with scopes, shown once, stored
 * as SHA-256 digests, revocable; each use records the last-used time and counts toward the
 * key's usage records: calls per day (UTC) and route class ({@code api_key_calls}). Each closed
 * day's usage goes into the audit trail once ({@link #auditClosedDays}). Blocking: call on the
 * blocking dispatcher.
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

  /** One key's calls on one day (UTC): in all, and per route class ({@link io.videoshop.http.ApiRoute#routeClass}). */
  public record UsageRecord(String keyId, LocalDate day, long requests, Map<String, Long> byRouteClass) {}

  /** Days of usage records an API answer covers at most. */
  public static final int USAGE_DAYS_MAX = 90;
  private static final Caller USAGE_RECORDS = Caller.system("api-usage-records");
  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

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
    if (!errors.isEmpty()) throw DomainError.invalid(errors);
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
          .orElseThrow(() -> DomainError.notFound("api_key_not_found", "No API key " + keyId));
      if (before.revokedAt() != null) throw DomainError.conflict("api_key_already_revoked", "The key is already revoked");
      Instant now = clock.instant();
      handle.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id").bind("now", now).bind("id", keyId).execute();
      ApiKey after = new ApiKey(before.id(), before.tenantId(), before.name(), before.prefix(), before.scopes(),
          before.createdBy(), before.createdAt(), before.lastUsedAt(), now);
      audit.record(handle, caller, new AuditLog.Change(tenantId, "api_key.revoked", "api_key", keyId, before, after));
      return after;
    });
  }

  /** One key's usage records of its last 90 days of use, newest first; 404 for another tenant's key. */
  public List<UsageRecord> usage(String tenantId, String keyId) {
    return jdbi.withHandle(handle -> {
      handle.createQuery("SELECT id FROM api_keys WHERE id = :id AND tenant_id = :tenantId")
          .bind("id", keyId).bind("tenantId", tenantId).mapTo(String.class).findOne()
          .orElseThrow(() -> DomainError.notFound("api_key_not_found", "No API key " + keyId));
      List<LocalDate> days = handle.createQuery(
              "SELECT DISTINCT usage_day FROM api_key_calls WHERE key_id = :id ORDER BY usage_day DESC LIMIT " + USAGE_DAYS_MAX)
          .bind("id", keyId).map((rs, ctx) -> rs.getDate(1).toLocalDate()).list();
      if (days.isEmpty()) return List.of();
      return records(handle.createQuery(
              "SELECT key_id, usage_day, route_class, requests FROM api_key_calls WHERE key_id = :id AND usage_day >= :from")
          .bind("id", keyId).bind("from", days.get(days.size() - 1)));
    });
  }

  /** Every key's usage records of the tenant for the last {@code days} days (UTC, today included), newest first. */
  public List<UsageRecord> tenantUsage(String tenantId, int days) {
    LocalDate from = clock.instant().atZone(ZoneOffset.UTC).toLocalDate().minusDays(days - 1L);
    return jdbi.withHandle(handle -> records(handle.createQuery("""
            SELECT c.key_id, c.usage_day, c.route_class, c.requests FROM api_key_calls c
            JOIN api_keys k ON k.id = c.key_id WHERE k.tenant_id = :tenantId AND c.usage_day >= :from""")
        .bind("tenantId", tenantId).bind("from", from)));
  }

  /** Rows of (key, day, class, requests) folded into one record per key and day, newest day first. */
  private static List<UsageRecord> records(Query query) {
    Map<String, Map<String, Long>> byDayAndKey = new TreeMap<>(Comparator.reverseOrder());
    query.map((rs, ctx) -> byDayAndKey.computeIfAbsent(rs.getDate("usage_day").toLocalDate() + " " + rs.getString("key_id"),
        dayAndKey -> new TreeMap<>()).put(rs.getString("route_class"), rs.getLong("requests"))).list();
    List<UsageRecord> records = new ArrayList<>();
    byDayAndKey.forEach((dayAndKey, byClass) -> records.add(new UsageRecord(dayAndKey.substring(11),
        LocalDate.parse(dayAndKey.substring(0, 10)), byClass.values().stream().mapToLong(Long::longValue).sum(), byClass)));
    return records;
  }

  /**
   * Puts each key's usage of every closed day (before today, UTC) into the audit trail: one
   * {@code api_key.usage_recorded} entry per key and day, by the system, with the day's counts.
   * Safe on every node at once: the key's row is locked while its days are written, and the day
   * they are written through is kept with the key. Answers how many entries it wrote.
   */
  public int auditClosedDays() {
    LocalDate today = clock.instant().atZone(ZoneOffset.UTC).toLocalDate();
    List<String> keys = jdbi.withHandle(handle -> handle.createQuery("""
            SELECT DISTINCT k.id FROM api_keys k JOIN api_key_calls c ON c.key_id = k.id
            WHERE c.usage_day < :today AND (k.usage_audited_through IS NULL OR c.usage_day > k.usage_audited_through)""")
        .bind("today", today).mapTo(String.class).list());
    int written = 0;
    for (String keyId : keys) {
      written += jdbi.inTransaction(handle -> {
        String tenantId = handle.createQuery("SELECT tenant_id FROM api_keys WHERE id = :id FOR UPDATE")
            .bind("id", keyId).mapTo(String.class).one();
        LocalDate through = handle.createQuery("SELECT usage_audited_through FROM api_keys WHERE id = :id")
            .bind("id", keyId).map((rs, ctx) -> rs.getDate(1) == null ? null : rs.getDate(1).toLocalDate()).one();
        List<UsageRecord> days = records(handle.createQuery("""
                SELECT key_id, usage_day, route_class, requests FROM api_key_calls
                WHERE key_id = :id AND usage_day > :after AND usage_day < :today""")
            .bind("id", keyId).bind("after", through == null ? LocalDate.of(1970, 1, 1) : through).bind("today", today));
        for (int i = days.size() - 1; i >= 0; i--) {
          audit.record(handle, USAGE_RECORDS, new AuditLog.Change(tenantId, "api_key.usage_recorded", "api_key", keyId,
              null, days.get(i)));
        }
        handle.createUpdate("UPDATE api_keys SET usage_audited_through = :day WHERE id = :id")
            .bind("day", today.minusDays(1)).bind("id", keyId).execute();
        return days.size();
      });
    }
    return written;
  }

  /**
   * Runs {@link #auditClosedDays} on this node every {@code interval}
   * ({@code videoshop.auth.api-key-usage-audit-interval}), the first time a minute after the start
   * (or after one interval, when that is shorter). A day is written once, whichever node is first.
   */
  public void auditClosedDaysEvery(ActorSystem<?> system, Executor blocking, Duration interval) {
    Duration first = interval.compareTo(Duration.ofMinutes(1)) < 0 ? interval : Duration.ofMinutes(1);
    system.scheduler().scheduleWithFixedDelay(first, interval, () -> {
      try {
        auditClosedDays();
      } catch (RuntimeException e) {
        log.warn("Writing API usage records to the audit trail failed; the next run tries again: {}", e.toString());
      }
    }, ExecutionContext.fromExecutor(blocking));
  }

  /**
   * The caller a presented key stands for, counting the use under the route class; 401 for an
   * unknown or revoked key.
   */
  public Caller authenticate(String presented, String routeClass, String ip, String userAgent) {
    Instant now = clock.instant();
    LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
    return jdbi.inTransaction(handle -> {
      ApiKey key = handle.createQuery("SELECT * FROM api_keys WHERE key_hash = :hash")
          .bind("hash", Secrets.sha256(presented)).map((rs, ctx) -> key(rs)).findOne()
          .filter(found -> found.revokedAt() == null)
          .orElseThrow(() -> DomainError.unauthorized("invalid_api_key", "The API key is not valid"));
      handle.createUpdate("UPDATE api_keys SET last_used_at = :now WHERE id = :id").bind("now", now).bind("id", key.id()).execute();
      int updated = handle.createUpdate("""
              UPDATE api_key_calls SET requests = requests + 1
              WHERE key_id = :id AND usage_day = :day AND route_class = :class""")
          .bind("id", key.id()).bind("day", today).bind("class", routeClass).execute();
      if (updated == 0) {
        handle.createUpdate(
                "INSERT INTO api_key_calls (key_id, usage_day, route_class, requests) VALUES (:id, :day, :class, 1)")
            .bind("id", key.id()).bind("day", today).bind("class", routeClass).execute();
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
