package io.videoshop.tenant;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import io.videoshop.http.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Tenants and their settings, kept in the {@code tenants} table (see docs/architecture.md for
 * why tables rather than an entity). Every change is made in one transaction with its audit
 * entry. Blocking: call on the blocking dispatcher.
 */
public final class Tenants {
  private static final Pattern SLUG = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

  private final Jdbi jdbi;
  private final AuditLog audit;
  private final Clock clock;
  /** Told the id of each tenant that changed, once its change committed (caches on this node). */
  private final List<java.util.function.Consumer<String>> changeListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public Tenants(Jdbi jdbi, AuditLog audit, Clock clock) {
    this.jdbi = jdbi;
    this.audit = audit;
    this.clock = clock;
  }

  public record CreateTenant(String name, String slug, String timeZone, String currency) {}

  public record Rename(String name) {}

  /** Creates a tenant with default settings; the owner's invitation is the caller's next step. */
  public Tenant create(Handle handle, Caller caller, CreateTenant request) {
    List<FieldError> errors = new ArrayList<>();
    checkName(errors, request.name());
    if (request.slug() == null || !SLUG.matcher(request.slug()).matches()) {
      errors.add(new FieldError("slug", "invalid_slug",
          "must be 1 to 63 lower-case letters, digits and inner hyphens, e.g. acme-shoes"));
    }
    String zone = request.timeZone() == null ? "UTC" : request.timeZone();
    String currency = request.currency() == null ? "EUR" : request.currency();
    TenantSettings.checkZone(errors, "timeZone", zone);
    TenantSettings.checkCurrency(errors, "currency", currency);
    if (!errors.isEmpty()) throw DomainError.invalid(errors);
    if (handle.createQuery("SELECT count(*) FROM tenants WHERE slug = :slug").bind("slug", request.slug())
        .mapTo(Long.class).one() > 0) {
      throw DomainError.conflict("slug_taken", "A tenant with the slug " + request.slug() + " exists");
    }
    Instant now = clock.instant();
    Tenant tenant = new Tenant(UUID.randomUUID().toString(), request.slug(), request.name().trim(), Tenant.ACTIVE,
        "trial", TenantSettings.defaults(zone, currency), now, now, 1);
    handle.createUpdate("""
            INSERT INTO tenants (id, slug, name, status, plan, settings, created_at, updated_at, version)
            VALUES (:id, :slug, :name, :status, :plan, :settings, :now, :now, 1)""")
        .bind("id", tenant.id()).bind("slug", tenant.slug()).bind("name", tenant.name())
        .bind("status", tenant.status()).bind("plan", tenant.plan())
        .bind("settings", Json.write(tenant.settings())).bind("now", now)
        .execute();
    audit.record(handle, caller, new AuditLog.Change(tenant.id(), "tenant.created", "tenant", tenant.id(), null, tenant));
    return tenant;
  }

  public List<Tenant> list(int limit, int offset) {
    return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM tenants ORDER BY slug LIMIT :limit OFFSET :offset")
        .bind("limit", limit).bind("offset", offset)
        .map((rs, ctx) -> tenant(rs)).list());
  }

  public Optional<Tenant> find(String id) {
    return jdbi.withHandle(handle -> find(handle, id));
  }

  public Optional<Tenant> findBySlug(String slug) {
    return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM tenants WHERE slug = :slug").bind("slug", slug)
        .map((rs, ctx) -> tenant(rs)).findOne());
  }

  public Optional<Tenant> find(Handle handle, String id) {
    return handle.createQuery("SELECT * FROM tenants WHERE id = :id").bind("id", id)
        .map((rs, ctx) -> tenant(rs)).findOne();
  }

  public Tenant get(Handle handle, String id) {
    return find(handle, id).orElseThrow(() -> DomainError.notFound("tenant_not_found", "No tenant " + id));
  }

  public Tenant rename(Caller caller, String id, Rename request) {
    List<FieldError> errors = new ArrayList<>();
    checkName(errors, request.name());
    if (!errors.isEmpty()) throw DomainError.invalid(errors);
    return change(caller, id, "tenant.renamed", before -> new Tenant(before.id(), before.slug(), request.name().trim(),
        before.status(), before.plan(), before.settings(), before.createdAt(), clock.instant(), before.version() + 1));
  }

  public Tenant replaceSettings(Caller caller, String id, TenantSettings settings) {
    if (settings == null) throw DomainError.badRequest("missing_body", "Settings are required");
    TenantSettings valid = settings.validated();
    return change(caller, id, "tenant.settings_changed", before -> new Tenant(before.id(), before.slug(), before.name(),
        before.status(), before.plan(), valid.widget() == null ? valid.withWidget(before.settings().widget()) : valid,
        before.createdAt(), clock.instant(), before.version() + 1));
  }

  /** Replaces how the tenant's widget looks (null fields: the widget's defaults); 422 naming each bad field. */
  public Tenant changeWidgetAppearance(Caller caller, String id, WidgetAppearance appearance) {
    if (appearance == null) throw DomainError.badRequest("missing_body", "The appearance is required");
    List<FieldError> errors = new ArrayList<>();
    appearance.check(errors, "");
    if (!errors.isEmpty()) throw DomainError.invalid(errors);
    WidgetAppearance valid = appearance.normalized();
    return change(caller, id, "tenant.widget_appearance_changed", before -> new Tenant(before.id(), before.slug(),
        before.name(), before.status(), before.plan(), before.settings().withWidget(valid), before.createdAt(),
        clock.instant(), before.version() + 1));
  }

  public Tenant suspend(Caller caller, String id) {
    return setStatus(caller, id, Tenant.SUSPENDED, "tenant.suspended");
  }

  public Tenant reactivate(Caller caller, String id) {
    return setStatus(caller, id, Tenant.ACTIVE, "tenant.reactivated");
  }

  private Tenant setStatus(Caller caller, String id, String status, String action) {
    return change(caller, id, action, before -> {
      if (before.status().equals(status)) {
        throw DomainError.conflict("tenant_already_" + status, "The tenant is already " + status);
      }
      return new Tenant(before.id(), before.slug(), before.name(), status, before.plan(), before.settings(),
          before.createdAt(), clock.instant(), before.version() + 1);
    });
  }

  public void onChange(java.util.function.Consumer<String> listener) {
    changeListeners.add(listener);
  }

  private Tenant change(Caller caller, String id, String action, java.util.function.UnaryOperator<Tenant> change) {
    Tenant changed = jdbi.inTransaction(handle -> {
      Tenant before = handle.createQuery("SELECT * FROM tenants WHERE id = :id FOR UPDATE").bind("id", id)
          .map((rs, ctx) -> tenant(rs)).findOne()
          .orElseThrow(() -> DomainError.notFound("tenant_not_found", "No tenant " + id));
      Tenant after = change.apply(before);
      handle.createUpdate("""
              UPDATE tenants SET name = :name, status = :status, plan = :plan, settings = :settings,
                updated_at = :updatedAt, version = :version WHERE id = :id""")
          .bind("name", after.name()).bind("status", after.status()).bind("plan", after.plan())
          .bind("settings", Json.write(after.settings())).bind("updatedAt", after.updatedAt())
          .bind("version", after.version()).bind("id", id)
          .execute();
      audit.record(handle, caller, new AuditLog.Change(id, action, "tenant", id, before, after));
      return after;
    });
    changeListeners.forEach(listener -> listener.accept(id));
    return changed;
  }

  private static void checkName(List<FieldError> errors, String name) {
    if (name == null || name.isBlank() || name.trim().length() > 200) {
      errors.add(new FieldError("name", "invalid_name", "must be 1 to 200 characters"));
    }
  }

  static Tenant tenant(ResultSet rs) throws SQLException {
    try {
      return new Tenant(rs.getString("id"), rs.getString("slug"), rs.getString("name"), rs.getString("status"),
          rs.getString("plan"), Json.MAPPER.readValue(rs.getString("settings"), TenantSettings.class),
          rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(), rs.getLong("version"));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("tenant " + rs.getString("id") + " holds unreadable settings", e);
    }
  }
}
