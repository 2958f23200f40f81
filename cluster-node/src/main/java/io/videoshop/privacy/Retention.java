package io.videoshop.privacy;

import io.micrometer.core.instrument.MeterRegistry;
import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.RetentionSettings;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention per data class (docs/privacy.md): what is older than its class's period is deleted or
 * anonymised. One node at a time runs it (a lease in {@code privacy_job_leases}), in batches of
 * {@code batch-size} rows, each its own short statement, so no table is locked for long and the
 * node's pool is not held. Each run that changed something is one audit entry
 * {@code retention.applied}; {@code videoshop.privacy.retention.rows} counts per class.
 * {@link #dryRun()} says what a run would change now.
 */
public final class Retention {
  private static final Logger log = LoggerFactory.getLogger(Retention.class);
  static final String JOB = "retention";
  /** Renewed after every batch: a node that dies mid-run frees the job after this. */
  static final Duration LEASE = Duration.ofMinutes(30);

  /**
   * A data class: its period, how many rows are due, and one batch of the change. {@code setting}:
   * the class a tenant may override (its rows have a {@code tenant_id}; {@code <scope>} in the
   * statements narrows them to one tenant, or to the tenants without an override), or null.
   */
  private record DataClass(String name, String setting, Duration period, String count, String batch) {
    DataClass(String name, Duration period, String count, String batch) {
      this(name, null, period, count, batch);
    }
  }

  /** What a tenant may set, per data class: its own period within these limits (days). */
  public record Limits(int minDays, int maxDays) {}

  /** The classes a tenant may override, and the platform's limits (docs/privacy.md). */
  public static final Map<String, Limits> OVERRIDABLE = Map.of(
      "device-metadata", new Limits(1, 90),
      "call-metadata", new Limits(30, 1095),
      "audit-log", new Limits(365, 3650));

  private final Jdbi jdbi;
  private final AuditLog audit;
  private final RetentionSettings settings;
  private final MeterRegistry metrics;
  private final String owner;
  private final Clock clock;
  private final List<DataClass> classes;

  public Retention(Jdbi jdbi, AuditLog audit, RetentionSettings settings, MeterRegistry metrics, String owner,
      Clock clock) {
    this.jdbi = jdbi;
    this.audit = audit;
    this.settings = settings;
    this.metrics = metrics;
    this.owner = owner;
    this.clock = clock;
    this.classes = List.of(
        new DataClass("device-metadata", "device-metadata", settings.deviceMetadata(),
            "SELECT COUNT(*) FROM audit_log WHERE at < :cutoff AND (ip IS NOT NULL OR user_agent IS NOT NULL) <scope>",
            "UPDATE audit_log SET ip = NULL, user_agent = NULL WHERE id IN (SELECT id FROM audit_log WHERE at < :cutoff "
                + "AND (ip IS NOT NULL OR user_agent IS NOT NULL) <scope> ORDER BY id LIMIT :batch)"),
        new DataClass("call-summaries", "call-metadata", settings.callMetadata(),
            "SELECT COUNT(*) FROM call_summaries WHERE ended_at < :cutoff <scope>",
            "DELETE FROM call_summaries WHERE ticket_id IN (SELECT ticket_id FROM call_summaries WHERE ended_at < :cutoff "
                + "<scope> ORDER BY ticket_id LIMIT :batch)"),
        new DataClass("call-products", "call-metadata", settings.callMetadata(),
            "SELECT COUNT(*) FROM call_summary_products WHERE room_id IN (SELECT room_id FROM calls WHERE created_at < :cutoff "
                + "<scope>)",
            "DELETE FROM call_summary_products WHERE (room_id, seq_nr) IN (SELECT room_id, seq_nr FROM call_summary_products "
                + "WHERE room_id IN (SELECT room_id FROM calls WHERE created_at < :cutoff <scope>) ORDER BY room_id, seq_nr "
                + "LIMIT :batch)"),
        new DataClass("call-metadata", "call-metadata", settings.callMetadata(),
            "SELECT COUNT(*) FROM calls WHERE created_at < :cutoff <scope>",
            "DELETE FROM calls WHERE room_id IN (SELECT room_id FROM calls WHERE created_at < :cutoff <scope> "
                + "ORDER BY room_id LIMIT :batch)"),
        new DataClass("audit-log", "audit-log", settings.auditLog(),
            "SELECT COUNT(*) FROM audit_log WHERE at < :cutoff <scope>",
            "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < :cutoff <scope> ORDER BY id "
                + "LIMIT :batch)"),
        new DataClass("billing-ledger", settings.billing(),
            "SELECT COUNT(*) FROM ledger_entries WHERE at < :cutoff",
            "DELETE FROM ledger_entries WHERE (tenant_id, seq_nr) IN (SELECT tenant_id, seq_nr FROM ledger_entries "
                + "WHERE at < :cutoff ORDER BY tenant_id, seq_nr LIMIT :batch)"),
        new DataClass("billing-payments", settings.billing(),
            "SELECT COUNT(*) FROM payment_events WHERE received_at < :cutoff",
            "DELETE FROM payment_events WHERE (provider, event_id) IN (SELECT provider, event_id FROM payment_events "
                + "WHERE received_at < :cutoff ORDER BY provider, event_id LIMIT :batch)"),
        // An export job's key goes with its bundle (expired), or when the job failed and left no bundle;
        // a job still running keeps it (its bundle is being written). Before the bundles: a run cut
        // short leaves the bundle row that names the key, and the next run finds it.
        new DataClass("export-keys", Duration.ZERO,
            "SELECT COUNT(*) FROM personal_data_keys k WHERE " + EXPORT_KEY_GONE,
            "DELETE FROM personal_data_keys WHERE subject_id IN (SELECT k.subject_id FROM personal_data_keys k WHERE "
                + EXPORT_KEY_GONE + " ORDER BY k.subject_id LIMIT :batch)"),
        // An export job's bundle goes when its download link expires (period zero: at expires_at).
        new DataClass("export-files", Duration.ZERO,
            "SELECT COUNT(*) FROM privacy_export_files WHERE expires_at < :cutoff",
            "DELETE FROM privacy_export_files WHERE request_id IN (SELECT request_id FROM privacy_export_files "
                + "WHERE expires_at < :cutoff ORDER BY request_id LIMIT :batch)"),
        // Every join and every booking is a subject of its own: shredding its key erases it everywhere.
        new DataClass("inactive-shoppers", settings.inactiveShopper(),
            "SELECT COUNT(*) FROM personal_data_keys WHERE key_bytes IS NOT NULL AND created_at < :cutoff "
                + "AND (subject_id LIKE 'shopper-%' OR subject_id LIKE 'booking-%')",
            "UPDATE personal_data_keys SET key_bytes = NULL, erased_at = :now WHERE subject_id IN (SELECT subject_id "
                + "FROM personal_data_keys WHERE key_bytes IS NOT NULL AND created_at < :cutoff "
                + "AND (subject_id LIKE 'shopper-%' OR subject_id LIKE 'booking-%') ORDER BY subject_id LIMIT :batch)"));
  }

  /** An export's subject key whose bundle expired or never came, of a job no longer running. */
  private static final String EXPORT_KEY_GONE = "k.subject_id LIKE 'export-%' AND NOT EXISTS (SELECT 1 FROM "
      + "privacy_export_files f WHERE f.subject_id = k.subject_id AND f.expires_at >= :cutoff) AND NOT EXISTS (SELECT 1 "
      + "FROM privacy_requests r WHERE k.subject_id = 'export-' || r.id AND r.status IN ('pending', 'running'))";

  public static Retention start(ActorSystem<?> system, Jdbi jdbi, AuditLog audit, RetentionSettings settings,
      MeterRegistry metrics, Executor blocking, Clock clock) {
    Retention retention = new Retention(jdbi, audit, settings, metrics,
        system.address() + "#" + java.util.UUID.randomUUID(), clock);
    system.scheduler().scheduleWithFixedDelay(Duration.ofMinutes(2), settings.interval(), () -> {
      try {
        retention.runIfLeased();
      } catch (RuntimeException e) {
        log.warn("The retention job failed; the next run tries again: {}", e.toString());
      }
    }, scala.concurrent.ExecutionContext.fromExecutor(blocking));
    return retention;
  }

  /** One class in a dry run: its period, the cutoff now, and the rows a run would change; {@code tenantId}: an override's. */
  public record Due(String dataClass, Duration retention, Instant cutoff, long rows, String tenantId) {}

  /** One run of a class's statements: over one overriding tenant, or over everyone else. */
  private record Scope(String tenantId, Duration period, List<String> exceptTenants) {
    String sql() {
      if (tenantId != null) return "AND tenant_id = :scopeTenant";
      return exceptTenants.isEmpty() ? "" : "AND (tenant_id IS NULL OR tenant_id NOT IN (<exceptTenants>))";
    }

    <S extends org.jdbi.v3.core.statement.SqlStatement<S>> S bind(S statement) {
      if (tenantId != null) statement.bind("scopeTenant", tenantId);
      else if (!exceptTenants.isEmpty()) statement.bindList("exceptTenants", exceptTenants);
      return statement;
    }
  }

  /** The runs of a class: each overriding tenant with its period, then the platform default for the rest. */
  private List<Scope> scopes(DataClass c, Map<String, Map<String, Integer>> overrides) {
    if (c.setting() == null) return List.of(new Scope(null, c.period(), List.of()));
    List<Scope> scopes = new ArrayList<>();
    List<String> overriding = new ArrayList<>();
    overrides.forEach((tenant, days) -> {
      if (days.containsKey(c.setting())) {
        scopes.add(new Scope(tenant, Duration.ofDays(days.get(c.setting())), List.of()));
        overriding.add(tenant);
      }
    });
    scopes.add(new Scope(null, c.period(), overriding));
    return scopes;
  }

  public List<Due> dryRun() {
    Instant now = clock.instant();
    Map<String, Map<String, Integer>> overrides = overrides();
    List<Due> due = new ArrayList<>();
    for (DataClass c : classes) {
      for (Scope scope : scopes(c, overrides)) {
        Instant cutoff = now.minus(scope.period());
        due.add(new Due(c.name(), scope.period(), cutoff, jdbi.withHandle(handle -> scope.bind(handle.createQuery(
                c.count().replace("<scope>", scope.sql())).bind("cutoff", cutoff)).mapTo(Long.class).one()),
            scope.tenantId()));
      }
    }
    return due;
  }

  /**
   * Runs when this node holds (or takes) the lease; answers the rows changed per class, or null
   * when another node holds the lease.
   */
  public Map<String, Integer> runIfLeased() {
    if (!takeLease()) return null;
    Instant now = clock.instant();
    Map<String, Map<String, Integer>> overrides = overrides();
    Map<String, Integer> changed = new LinkedHashMap<>();
    for (DataClass c : classes) {
      int total = 0;
      for (Scope scope : scopes(c, overrides)) {
        Instant cutoff = now.minus(scope.period());
        String batch = c.batch().replace("<scope>", scope.sql());
        for (int i = 0; i < settings.maxBatches(); i++) {
          int done = jdbi.withHandle(handle -> scope.bind(handle.createUpdate(batch)).bind("cutoff", cutoff)
              .bind("now", now).bind("batch", settings.batchSize()).execute());
          total += done;
          if (done < settings.batchSize()) break;
          takeLease(); // a long run keeps its lease
        }
      }
      changed.put(c.name(), total);
      if (total > 0) metrics.counter("videoshop.privacy.retention.rows", "class", c.name()).increment(total);
    }
    if (changed.values().stream().anyMatch(n -> n > 0)) {
      audit.record(Caller.system("retention"), new AuditLog.Change(null, "retention.applied", "retention", null, null,
          changed));
      log.info("Retention applied: {}", changed);
    }
    return changed;
  }

  /** Every tenant's overrides: tenant to class to days. */
  private Map<String, Map<String, Integer>> overrides() {
    Map<String, Map<String, Integer>> all = new LinkedHashMap<>();
    jdbi.useHandle(handle -> handle.createQuery(
            "SELECT tenant_id, data_class, days FROM tenant_retention_overrides ORDER BY tenant_id, data_class")
        .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getInt(3)})
        .forEach(row -> all.computeIfAbsent((String) row[0], t -> new LinkedHashMap<>())
            .put((String) row[1], (Integer) row[2])));
    return all;
  }

  /** A tenant's view: per overridable class the platform default, the limits, its override and what applies. */
  public record TenantClass(String dataClass, long defaultDays, int minDays, int maxDays, Integer overrideDays,
      long effectiveDays) {}

  public List<TenantClass> ofTenant(String tenantId) {
    Map<String, Integer> own = overrides().getOrDefault(tenantId, Map.of());
    return OVERRIDABLE.keySet().stream().sorted().map(name -> {
      Limits limits = OVERRIDABLE.get(name);
      long defaultDays = defaultOf(name).toDays();
      Integer override = own.get(name);
      return new TenantClass(name, defaultDays, limits.minDays(), limits.maxDays(), override,
          override == null ? defaultDays : override);
    }).toList();
  }

  /**
   * Replaces a tenant's overrides (class to days; a class left out keeps the platform default).
   * Outside the limits: 422 {@code retention_out_of_limits}; a class that cannot be overridden:
   * {@code unknown_data_class}; an audit log kept shorter than device metadata:
   * {@code retention_audit_shorter_than_device}. Nothing changes on an error. Audited.
   */
  public List<TenantClass> override(Caller caller, String tenantId, Map<String, Integer> days) {
    Map<String, Integer> wanted = days == null ? Map.of() : days;
    List<io.videoshop.domain.FieldError> errors = new ArrayList<>();
    wanted.forEach((name, value) -> {
      Limits limits = OVERRIDABLE.get(name);
      if (limits == null) {
        errors.add(new io.videoshop.domain.FieldError("overrides." + name, "unknown_data_class",
            "a tenant may set " + OVERRIDABLE.keySet().stream().sorted().toList()));
      } else if (value == null || value < limits.minDays() || value > limits.maxDays()) {
        errors.add(new io.videoshop.domain.FieldError("overrides." + name, "retention_out_of_limits",
            "must be " + limits.minDays() + " to " + limits.maxDays() + " days"));
      }
    });
    if (errors.isEmpty()) {
      long audit = wanted.containsKey("audit-log") ? wanted.get("audit-log") : defaultOf("audit-log").toDays();
      long device = wanted.containsKey("device-metadata") ? wanted.get("device-metadata")
          : defaultOf("device-metadata").toDays();
      if (audit < device) {
        errors.add(new io.videoshop.domain.FieldError("overrides.audit-log", "retention_audit_shorter_than_device",
            "the audit log is kept at least as long as device metadata (" + device + " days)"));
      }
    }
    if (!errors.isEmpty()) throw io.videoshop.domain.DomainError.invalid(errors);
    List<TenantClass> before = ofTenant(tenantId);
    Instant now = clock.instant();
    jdbi.useTransaction(handle -> {
      handle.createUpdate("DELETE FROM tenant_retention_overrides WHERE tenant_id = :t").bind("t", tenantId).execute();
      wanted.forEach((name, value) -> handle.createUpdate("""
              INSERT INTO tenant_retention_overrides (tenant_id, data_class, days, updated_at)
              VALUES (:t, :c, :d, :now)""").bind("t", tenantId).bind("c", name).bind("d", value).bind("now", now)
          .execute());
      audit.record(handle, caller, new AuditLog.Change(tenantId, "retention.overridden", "tenant", tenantId, before,
          new java.util.TreeMap<>(wanted)));
    });
    return ofTenant(tenantId);
  }

  private Duration defaultOf(String setting) {
    return switch (setting) {
      case "device-metadata" -> settings.deviceMetadata();
      case "call-metadata" -> settings.callMetadata();
      case "audit-log" -> settings.auditLog();
      default -> throw new IllegalArgumentException(setting);
    };
  }

  /** Takes the lease when free or lapsed, or renews it when this node holds it. */
  boolean takeLease() {
    Instant now = clock.instant();
    Instant until = now.plus(LEASE);
    return jdbi.withHandle(handle -> {
      int taken = handle.createUpdate("""
              UPDATE privacy_job_leases SET owner = :owner, lease_until = :until
              WHERE job = :job AND (owner = :owner OR lease_until < :now)""")
          .bind("owner", owner).bind("until", Timestamp.from(until)).bind("now", Timestamp.from(now)).bind("job", JOB)
          .execute();
      if (taken == 1) return true;
      try {
        return handle.createUpdate("INSERT INTO privacy_job_leases (job, owner, lease_until) VALUES (:job, :owner, :until)")
            .bind("job", JOB).bind("owner", owner).bind("until", Timestamp.from(until)).execute() == 1;
      } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException held) {
        return false; // another node holds it
      }
    });
  }
}
