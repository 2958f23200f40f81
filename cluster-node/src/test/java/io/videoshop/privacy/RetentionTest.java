package io.videoshop.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.RetentionSettings;
import io.videoshop.node.MovableClock;
import io.videoshop.persistence.DatabasePool;
import io.videoshop.persistence.SchemaMigrations;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.persistence.privacy.TestMasterKeys;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Retention per data class on PostgreSQL with a movable clock: what is due goes, in batches, on one node at a time. */
class RetentionTest {
  private static final RetentionSettings SETTINGS = new RetentionSettings(Duration.ofDays(30), Duration.ofDays(395),
      Duration.ofDays(730), Duration.ofDays(3650), Duration.ofDays(395), Duration.ofHours(1), 2, 100);

  @Test
  void eachClassLosesWhatIsOlderThanItsPeriodAndNothingElse() {
    try (TestDatabase database = TestDatabase.postgres();
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      SchemaMigrations.migrate(dataSource, database.settings().kind());
      Jdbi jdbi = Jdbi.create(dataSource);
      PersonalDataVault vault = new PersonalDataVault(dataSource, TestMasterKeys.fresh());
      Instant start = Instant.now();
      MovableClock clock = new MovableClock(start);
      SimpleMeterRegistry metrics = new SimpleMeterRegistry();
      AuditLog audit = new AuditLog(jdbi, clock);

      // Made at the start: five calls (more than a batch), their summary, an audit entry with an
      // address, a shopper's and a user's subject key.
      for (int i = 0; i < 5; i++) call(jdbi, "old-room-" + i, start);
      jdbi.useHandle(h -> h.execute("INSERT INTO call_summaries (ticket_id, ended_at) VALUES ('old-ticket', ?)",
          Timestamp.from(start)));
      jdbi.useHandle(h -> h.execute("INSERT INTO call_summary_products (room_id, seq_nr, name) VALUES ('old-room-0', 1, 'shoe')"));
      auditEntry(jdbi, start, "198.51.100.7");
      auditEntry(jdbi, start.minus(Duration.ofDays(800)), "198.51.100.8");
      payment(jdbi, "old", start.minus(Duration.ofDays(3700)));
      payment(jdbi, "kept", start.minus(Duration.ofDays(3000)));
      var oldShopper = vault.encrypt("shopper-old", "Old Name");
      var user = vault.encrypt("user:u-1", "A User");

      clock.advance(Duration.ofDays(400));
      Instant now = clock.instant();
      call(jdbi, "new-room", now.minus(Duration.ofDays(1)));
      auditEntry(jdbi, now.minus(Duration.ofDays(1)), "198.51.100.9");
      var newShopper = vault.encrypt("shopper-new", "New Name");
      // The vault stamps keys with the real time; this one was made a day before the moved clock's now.
      jdbi.useHandle(h -> h.execute("UPDATE personal_data_keys SET created_at = ? WHERE subject_id = 'shopper-new'",
          Timestamp.from(now.minus(Duration.ofDays(1)))));

      Map<String, Long> due = new Retention(jdbi, audit, SETTINGS, metrics, "node-a", clock).dryRun().stream()
          .collect(Collectors.toMap(Retention.Due::dataClass, Retention.Due::rows));
      assertThat(due).containsEntry("call-metadata", 5L).containsEntry("call-summaries", 1L)
          .containsEntry("call-products", 1L).containsEntry("device-metadata", 2L).containsEntry("audit-log", 1L)
          .containsEntry("billing-payments", 1L).containsEntry("inactive-shoppers", 1L);

      Retention first = new Retention(jdbi, audit, SETTINGS, metrics, "node-a", clock);
      Retention second = new Retention(jdbi, audit, SETTINGS, metrics, "node-b", clock);
      Map<String, Integer> changed = first.runIfLeased();
      assertThat(changed).containsEntry("call-metadata", 5).containsEntry("inactive-shoppers", 1)
          .containsEntry("audit-log", 1).containsEntry("device-metadata", 2).containsEntry("billing-payments", 1);
      assertThat(second.runIfLeased()).as("one node at a time").isNull();

      assertThat(count(jdbi, "SELECT COUNT(*) FROM calls")).as("the recent call stays").isEqualTo(1);
      assertThat(count(jdbi, "SELECT COUNT(*) FROM call_summaries")).isZero();
      assertThat(count(jdbi, "SELECT COUNT(*) FROM call_summary_products")).isZero();
      assertThat(count(jdbi, "SELECT COUNT(*) FROM payment_events")).isEqualTo(1);
      assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_log WHERE action = 'test.entry'")).as("800 days: gone").isEqualTo(2);
      assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_log WHERE action = 'test.entry' AND ip IS NOT NULL"))
          .as("only the recent entry keeps its address").isEqualTo(1);
      assertThat(vault.decrypt(oldShopper).erased()).isTrue();
      assertThat(vault.decrypt(newShopper).value()).isEqualTo("New Name");
      assertThat(vault.decrypt(user).value()).as("users are not shoppers").isEqualTo("A User");
      assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_log WHERE action = 'retention.applied'")).isEqualTo(1);
      assertThat(metrics.counter("videoshop.privacy.retention.rows", "class", "call-metadata").count()).isEqualTo(5);
      assertThat(first.dryRun()).allSatisfy(d -> assertThat(d.rows()).as(d.dataClass()).isZero());

      // A second run changes nothing and records nothing; the lease lapses and the other node takes over.
      assertThat(first.runIfLeased().values()).allMatch(n -> n == 0);
      assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_log WHERE action = 'retention.applied'")).isEqualTo(1);
      clock.advance(Retention.LEASE.plusMinutes(1));
      assertThat(second.runIfLeased()).isNotNull();
      assertThat(first.runIfLeased()).isNull();
    }
  }

  @Test
  void aTenantsOverridesWithinTheLimitsApplyToItsRowsOnlyAndTheDryRunShowsThem() {
    try (TestDatabase database = TestDatabase.postgres();
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      SchemaMigrations.migrate(dataSource, database.settings().kind());
      Jdbi jdbi = Jdbi.create(dataSource);
      MovableClock clock = new MovableClock(Instant.now());
      AuditLog audit = new AuditLog(jdbi, clock);
      Retention retention = new Retention(jdbi, audit, SETTINGS, new SimpleMeterRegistry(), "node-a", clock);
      for (String tenant : java.util.List.of("short", "default")) {
        jdbi.useHandle(h -> h.execute("INSERT INTO tenants (id, slug, name, status, plan, settings, created_at, "
            + "updated_at, version) VALUES (?, ?, ?, 'active', 'trial', '{}', ?, ?, 1)", tenant, tenant, tenant,
            Timestamp.from(clock.instant()), Timestamp.from(clock.instant())));
      }
      io.videoshop.domain.Caller owner = new io.videoshop.domain.Caller(io.videoshop.domain.Caller.Kind.USER, "o-1",
          "short", io.videoshop.domain.Role.OWNER, java.util.Set.of(), null, null);

      // Outside the limits, an unknown class, an audit log shorter than device metadata: refused, nothing stored.
      for (Map<String, Integer> bad : java.util.List.of(Map.of("device-metadata", 0), Map.of("call-metadata", 5000),
          Map.of("billing", 400), Map.of("device-metadata", 7, "audit-log", 365, "call-metadata", 20))) {
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(() -> retention.override(owner, "short", bad),
            io.videoshop.domain.DomainError.class).errors()).as("%s", bad).isNotEmpty();
      }
      var refused = org.assertj.core.api.Assertions.catchThrowableOfType(
          () -> retention.override(owner, "short", Map.of("device-metadata", 91)), io.videoshop.domain.DomainError.class);
      assertThat(refused.errors().get(0).code()).isEqualTo("retention_out_of_limits");
      assertThat(count(jdbi, "SELECT COUNT(*) FROM tenant_retention_overrides")).isZero();

      var classes = retention.override(owner, "short", Map.of("device-metadata", 7, "call-metadata", 60));
      assertThat(classes).anySatisfy(c -> {
        assertThat(c.dataClass()).isEqualTo("device-metadata");
        assertThat(c.overrideDays()).isEqualTo(7);
        assertThat(c.effectiveDays()).isEqualTo(7);
        assertThat(c.defaultDays()).isEqualTo(30);
      });
      assertThat(retention.ofTenant("default")).allSatisfy(c -> assertThat(c.overrideDays()).isNull());
      assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_log WHERE action = 'retention.overridden'")).isEqualTo(1);

      // Both tenants: an address 10 days old, a call 100 days old.
      Instant start = clock.instant();
      for (String tenant : java.util.List.of("short", "default")) {
        jdbi.useHandle(h -> h.execute("INSERT INTO audit_log (at, tenant_id, actor_type, action, ip) VALUES (?, ?, "
            + "'user', 'test.entry', '198.51.100.1')", Timestamp.from(start), tenant));
        jdbi.useHandle(h -> h.execute("INSERT INTO calls (room_id, tenant_id, ticket_id, agent_id, status, created_at) "
            + "VALUES (?, ?, ?, 'a', 'ended', ?)", "room-" + tenant, tenant, "ticket-" + tenant,
            Timestamp.from(start.minus(Duration.ofDays(90)))));
      }
      clock.advance(Duration.ofDays(10));

      var due = retention.dryRun();
      assertThat(due).anySatisfy(d -> {
        assertThat(d.dataClass()).isEqualTo("device-metadata");
        assertThat(d.tenantId()).isEqualTo("short");
        assertThat(d.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(d.rows()).isEqualTo(1);
      });
      assertThat(due).anySatisfy(d -> {
        assertThat(d.dataClass()).isEqualTo("call-metadata");
        assertThat(d.tenantId()).isEqualTo("short");
        assertThat(d.rows()).isEqualTo(1);
      });
      assertThat(due).filteredOn(d -> d.tenantId() == null && d.dataClass().matches("device-metadata|call-metadata"))
          .allSatisfy(d -> assertThat(d.rows()).as("the default tenant's rows are not due").isZero());

      Map<String, Integer> changed = retention.runIfLeased();
      assertThat(changed).containsEntry("device-metadata", 1).containsEntry("call-metadata", 1);
      assertThat(count(jdbi, "SELECT COUNT(*) FROM audit_log WHERE action = 'test.entry' AND ip IS NOT NULL "
          + "AND tenant_id = 'default'")).isEqualTo(1);
      assertThat(count(jdbi, "SELECT COUNT(*) FROM calls WHERE tenant_id = 'default'")).isEqualTo(1);
      assertThat(count(jdbi, "SELECT COUNT(*) FROM calls WHERE tenant_id = 'short'")).isZero();

      // Removing the overrides brings back the platform default.
      retention.override(owner, "short", Map.of());
      assertThat(retention.ofTenant("short")).allSatisfy(c -> assertThat(c.effectiveDays()).isEqualTo(c.defaultDays()));
    }
  }

  private static void call(Jdbi jdbi, String room, Instant at) {
    jdbi.useHandle(h -> h.execute("INSERT INTO calls (room_id, tenant_id, ticket_id, agent_id, status, created_at) "
        + "VALUES (?, 't', ?, 'a', 'ended', ?)", room, "ticket-" + room, Timestamp.from(at)));
  }

  private static void auditEntry(Jdbi jdbi, Instant at, String ip) {
    jdbi.useHandle(h -> h.execute("INSERT INTO audit_log (at, actor_type, action, ip, user_agent) VALUES (?, 'user', "
        + "'test.entry', ?, 'Firefox')", Timestamp.from(at), ip));
  }

  private static void payment(Jdbi jdbi, String id, Instant at) {
    jdbi.useHandle(h -> h.execute("INSERT INTO payment_events (provider, event_id, event_type, outcome, received_at) "
        + "VALUES ('stripe', ?, 'charge', 'applied', ?)", id, Timestamp.from(at)));
  }

  private static long count(Jdbi jdbi, String sql) {
    return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }
}
