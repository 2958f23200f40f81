package io.videoshop.access;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.TenantSettings;
import io.videoshop.tenant.WidgetAppearance;
import io.videoshop.tenant.Tenants;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Widget keys: the public key a merchant's store page puts in the widget's script tag, with the
 * origins it may be used from. Not secret (every visitor sees it): the allowed origins are what
 * protect it, checked against the browser's {@code Origin} header by {@link #check}.
 */
public final class WidgetKeys {
  public static final String PREFIX = "vsw_";

  private final Jdbi jdbi;
  private final Tenants tenants;
  private final AuditLog audit;
  private final Clock clock;
  private final Duration cacheTtl;
  private final int cacheSize;
  /**
   * What {@link #check} read for a key (the key, or none; its tenant), kept for {@code cacheTtl}
   * so that upgrades do not query the database each: a revocation, changed origins or a
   * suspension made on this node apply here at once, on the other nodes within that time. Insertion order: the oldest go first.
   */
  private final Map<String, Lookup> cache = new LinkedHashMap<>();

  private record Lookup(Optional<WidgetKey> key, Optional<Tenant> tenant, Instant readAt) {}

  public WidgetKeys(Jdbi jdbi, Tenants tenants, AuditLog audit, Clock clock) {
    this(jdbi, tenants, audit, clock, Duration.ofSeconds(30), 10_000);
  }

  public WidgetKeys(Jdbi jdbi, Tenants tenants, AuditLog audit, Clock clock, Duration cacheTtl, int cacheSize) {
    this.jdbi = jdbi;
    this.tenants = tenants;
    this.audit = audit;
    this.clock = clock;
    this.cacheTtl = cacheTtl;
    this.cacheSize = cacheSize;
    tenants.onChange(this::forgetTenant);
  }

  /** A change made on this node applies here at once; other nodes see it within the cache time. */
  private void forgetTenant(String tenantId) {
    synchronized (cache) {
      cache.values().removeIf(lookup -> lookup.key().map(WidgetKey::tenantId).filter(tenantId::equals).isPresent());
    }
  }

  public record CreateWidgetKey(String name, List<String> allowedOrigins) {}

  public record ChangeOrigins(List<String> allowedOrigins) {}

  public record WidgetKey(String id, String tenantId, String publicKey, String name, List<String> allowedOrigins,
      Instant createdAt, Instant revokedAt) {}

  /** What the widget socket learns from a connection's key and Origin. */
  public record Admission(boolean allowed, String tenantId, String reason) {
    static Admission refused(String reason) {
      return new Admission(false, null, reason);
    }
  }

  public WidgetKey create(Caller caller, String tenantId, CreateWidgetKey request) {
    List<FieldError> errors = new ArrayList<>();
    if (request.name() == null || request.name().isBlank() || request.name().length() > 200) {
      errors.add(new FieldError("name", "invalid_name", "must be 1 to 200 characters"));
    }
    TenantSettings.checkOrigins(errors, "allowedOrigins", request.allowedOrigins());
    if (!errors.isEmpty()) throw DomainError.invalid(errors);
    Instant now = clock.instant();
    WidgetKey key = new WidgetKey(UUID.randomUUID().toString(), tenantId, Secrets.newSecret(PREFIX).substring(0, 36),
        request.name().trim(), List.copyOf(request.allowedOrigins()), now, null);
    return jdbi.inTransaction(handle -> {
      handle.createUpdate("""
              INSERT INTO widget_keys (id, tenant_id, public_key, name, allowed_origins, created_at)
              VALUES (:id, :tenantId, :publicKey, :name, :origins, :now)""")
          .bind("id", key.id()).bind("tenantId", tenantId).bind("publicKey", key.publicKey()).bind("name", key.name())
          .bind("origins", String.join(" ", key.allowedOrigins())).bind("now", now)
          .execute();
      audit.record(handle, caller, new AuditLog.Change(tenantId, "widget_key.created", "widget_key", key.id(), null, key));
      return key;
    });
  }

  public List<WidgetKey> list(String tenantId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM widget_keys WHERE tenant_id = :tenantId ORDER BY created_at DESC LIMIT 500")
        .bind("tenantId", tenantId).map((rs, ctx) -> key(rs)).list());
  }

  public WidgetKey changeOrigins(Caller caller, String tenantId, String keyId, ChangeOrigins request) {
    return update(caller, tenantId, keyId, "widget_key.origins_changed", before -> {
      List<FieldError> errors = new ArrayList<>();
      TenantSettings.checkOrigins(errors, "allowedOrigins", request.allowedOrigins());
      if (!errors.isEmpty()) throw DomainError.invalid(errors);
      return new WidgetKey(before.id(), before.tenantId(), before.publicKey(), before.name(),
          List.copyOf(request.allowedOrigins()), before.createdAt(), before.revokedAt());
    });
  }

  public WidgetKey revoke(Caller caller, String tenantId, String keyId) {
    return update(caller, tenantId, keyId, "widget_key.revoked", before -> {
      if (before.revokedAt() != null) throw DomainError.conflict("widget_key_already_revoked", "The key is already revoked");
      return new WidgetKey(before.id(), before.tenantId(), before.publicKey(), before.name(), before.allowedOrigins(),
          before.createdAt(), clock.instant());
    });
  }

  /**
   * May a widget with this key connect from this origin? The key's own origins apply; a key that
   * lists none takes its tenant's allowed origins. A suspended tenant's widgets are refused.
   */
  public Admission check(String publicKey, String origin) {
    if (publicKey == null || publicKey.isBlank()) return Admission.refused("widget_key_missing");
    Lookup lookup = lookup(publicKey);
    Optional<WidgetKey> key = lookup.key();
    if (key.isEmpty()) return Admission.refused("widget_key_invalid");
    Optional<Tenant> tenant = lookup.tenant();
    if (tenant.isEmpty()) return Admission.refused("widget_key_invalid");
    if (tenant.get().suspended()) return Admission.refused("tenant_suspended");
    List<String> origins = key.get().allowedOrigins().isEmpty()
        ? tenant.get().settings().allowedOrigins() : key.get().allowedOrigins();
    if (origin == null || !origins.contains(origin)) return Admission.refused("origin_not_allowed");
    return new Admission(true, tenant.get().id(), null);
  }

  /**
   * How the widget of a live key of an active tenant looks, from the same cached lookup as
   * {@link #check}; empty for a missing, unknown or revoked key or a suspended tenant. Needs no
   * origin: the appearance is public, as the key is.
   */
  public Optional<WidgetAppearance> appearance(String publicKey) {
    if (publicKey == null || publicKey.isBlank() || publicKey.length() > 100) return Optional.empty();
    Lookup lookup = lookup(publicKey);
    if (lookup.key().isEmpty()) return Optional.empty();
    return lookup.tenant().filter(tenant -> !tenant.suspended()).map(tenant -> tenant.settings().widgetAppearance());
  }

  private Lookup lookup(String publicKey) {
    Instant now = clock.instant();
    synchronized (cache) {
      Lookup cached = cache.get(publicKey);
      if (cached != null && cached.readAt().plus(cacheTtl).isAfter(now)) return cached;
    }
    Optional<WidgetKey> key = jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM widget_keys WHERE public_key = :key").bind("key", publicKey)
        .map((rs, ctx) -> key(rs)).findOne()).filter(found -> found.revokedAt() == null);
    Lookup read = new Lookup(key, key.flatMap(found -> tenants.find(found.tenantId())), now);
    synchronized (cache) {
      cache.remove(publicKey);
      cache.put(publicKey, read);
      Iterator<String> oldest = cache.keySet().iterator();
      while (cache.size() > cacheSize) {
        oldest.next();
        oldest.remove();
      }
    }
    return read;
  }

  private WidgetKey update(Caller caller, String tenantId, String keyId, String action,
      java.util.function.UnaryOperator<WidgetKey> change) {
    WidgetKey changed = jdbi.inTransaction(handle -> {
      WidgetKey before = handle.createQuery("SELECT * FROM widget_keys WHERE id = :id AND tenant_id = :tenantId FOR UPDATE")
          .bind("id", keyId).bind("tenantId", tenantId).map((rs, ctx) -> key(rs)).findOne()
          .orElseThrow(() -> DomainError.notFound("widget_key_not_found", "No widget key " + keyId));
      WidgetKey after = change.apply(before);
      handle.createUpdate("UPDATE widget_keys SET allowed_origins = :origins, revoked_at = :revokedAt WHERE id = :id")
          .bind("origins", String.join(" ", after.allowedOrigins())).bind("revokedAt", after.revokedAt())
          .bind("id", keyId).execute();
      audit.record(handle, caller, new AuditLog.Change(tenantId, action, "widget_key", keyId, before, after));
      return after;
    });
    synchronized (cache) {
      cache.remove(changed.publicKey());
    }
    return changed;
  }

  private static WidgetKey key(ResultSet rs) throws SQLException {
    String origins = rs.getString("allowed_origins");
    return new WidgetKey(rs.getString("id"), rs.getString("tenant_id"), rs.getString("public_key"), rs.getString("name"),
        origins.isBlank() ? List.of() : Arrays.asList(origins.split(" ")), rs.getTimestamp("created_at").toInstant(),
        ApiKeys.instant(rs, "revoked_at"));
  }
}
