package io.videoshop.privacy;

import io.micrometer.core.instrument.MeterRegistry;
import io.videoshop.access.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.RetentionSettings;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

  /** A data class: its period, how many rows are due, and one batch of the change. */
  private record DataClass(String name, Duration period, String count, String batch) {}

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
        new DataClass("device-metadata", settings.deviceMetadata(),
            "SELECT COUNT(*) FROM audit_log WHERE at < :cutoff AND (ip IS NOT NULL OR user_agent IS NOT NULL)",
            "UPDATE audit_log SET ip = NULL, user_agent = NULL WHERE id IN (SELECT id FROM audit_log WHERE at < :cutoff "
                + "AND (ip IS NOT NULL OR user_agent IS NOT NULL) ORDER BY id LIMIT :batch)"),
        new DataClass("call-summaries", settings.callMetadata(),
            "SELECT COUNT(*) FROM call_summaries WHERE ended_at < :cutoff",
            "DELETE FROM call_summaries WHERE ticket_id IN (SELECT ticket_id FROM call_summaries WHERE ended_at < :cutoff "
                + "ORDER BY ticket_id LIMIT :batch)"),
        new DataClass("call-products", settings.callMetadata(),
            "SELECT COUNT(*) FROM call_summary_products WHERE room_id IN (SELECT room_id FROM calls WHERE created_at < :cutoff)",
            "DELETE FROM call_summary_products WHERE (room_id, seq_nr) IN (SELECT room_id, seq_nr FROM call_summary_products "
                + "WHERE room_id IN (SELECT room_id FROM calls WHERE created_at < :cutoff) ORDER BY room_id, seq_nr "
                + "LIMIT :batch)"),
        new DataClass("call-metadata", settings.callMetadata(),
            "SELECT COUNT(*) FROM calls WHERE created_at < :cutoff",
            "DELETE FROM calls WHERE room_id IN (SELECT room_id FROM calls WHERE created_at < :cutoff ORDER BY room_id "
                + "LIMIT :batch)"),
        new DataClass("audit-log", settings.auditLog(),
            "SELECT COUNT(*) FROM audit_log WHERE at < :cutoff",
            "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < :cutoff ORDER BY id LIMIT :batch)"),
        new DataClass("billing-ledger", settings.billing(),
            "SELECT COUNT(*) FROM ledger_entries WHERE at < :cutoff",
            "DELETE FROM ledger_entries WHERE (tenant_id, seq_nr) IN (SELECT tenant_id, seq_nr FROM ledger_entries "
                + "WHERE at < :cutoff ORDER BY tenant_id, seq_nr LIMIT :batch)"),
        new DataClass("billing-payments", settings.billing(),
            "SELECT COUNT(*) FROM payment_events WHERE received_at < :cutoff",
            "DELETE FROM payment_events WHERE (provider, event_id) IN (SELECT provider, event_id FROM payment_events "
                + "WHERE received_at < :cutoff ORDER BY provider, event_id LIMIT :batch)"),
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

  /** One class in a dry run: its period, the cutoff now, and the rows a run would change. */
  public record Due(String dataClass, Duration retention, Instant cutoff, long rows) {}

  public List<Due> dryRun() {
    Instant now = clock.instant();
    return classes.stream().map(c -> new Due(c.name(), c.period(), now.minus(c.period()),
        jdbi.withHandle(handle -> handle.createQuery(c.count()).bind("cutoff", now.minus(c.period()))
            .mapTo(Long.class).one()))).toList();
  }

  /**
   * Runs when this node holds (or takes) the lease; answers the rows changed per class, or null
   * when another node holds the lease.
   */
  public Map<String, Integer> runIfLeased() {
    if (!takeLease()) return null;
    Instant now = clock.instant();
    Map<String, Integer> changed = new LinkedHashMap<>();
    for (DataClass c : classes) {
      Instant cutoff = now.minus(c.period());
      int total = 0;
      for (int i = 0; i < settings.maxBatches(); i++) {
        int done = jdbi.withHandle(handle -> handle.createUpdate(c.batch()).bind("cutoff", cutoff)
            .bind("now", now).bind("batch", settings.batchSize()).execute());
        total += done;
        if (done < settings.batchSize()) break;
        takeLease(); // a long run keeps its lease
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
