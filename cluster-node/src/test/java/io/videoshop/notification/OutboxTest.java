package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.videoshop.config.DatabaseSettings;
import io.videoshop.config.NotificationSettings;
import io.videoshop.node.MovableClock;
import io.videoshop.persistence.DatabasePool;
import io.videoshop.persistence.SchemaMigrations;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The outbox's leases, outcomes, backoff and dead letters, on H2 and PostgreSQL. */
class OutboxTest {

  private record Setup(TestDatabase database, HikariDataSource pool, Jdbi jdbi, PersonalDataVault vault, Outbox outbox,
      MovableClock clock) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      pool.close();
      database.close();
    }
  }

  private static Setup setup(TestDatabase.Kind kind) {
    TestDatabase database = TestDatabase.create(kind);
    HikariDataSource pool = DatabasePool.open(database.settings());
    SchemaMigrations.migrate(pool, database.settings().kind());
    Jdbi jdbi = Jdbi.create(pool);
    PersonalDataVault vault = new PersonalDataVault(pool, io.videoshop.persistence.privacy.TestMasterKeys.fresh());
    MovableClock clock = new MovableClock(Instant.parse("2026-01-01T09:00:00Z"));
    Outbox outbox = new Outbox(jdbi, vault, clock,
        database.settings().kind() == DatabaseSettings.Kind.POSTGRES ? Outbox.Dialect.POSTGRES : Outbox.Dialect.H2);
    return new Setup(database, pool, jdbi, vault, outbox, clock);
  }

  private static long enqueue(Setup s, String payload) {
    return s.jdbi.inTransaction(handle ->
        s.outbox.enqueue(handle, Outbox.Draft.of(Outbox.MAIL, "invitation", null, "subject-1", payload))).orElseThrow();
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void payloadIsEncryptedAtRestAndClearedOnceDelivered(TestDatabase.Kind kind) throws Exception {
    try (Setup s = setup(kind)) {
      long id = enqueue(s, "secret inv_AAAAAAAAAAAAAAAAAAAAAAAA");
      String stored = s.jdbi.withHandle(h -> h.createQuery("SELECT payload FROM outbox WHERE id = :id").bind("id", id)
          .mapTo(String.class).one());
      assertThat(stored).doesNotContain("inv_").doesNotContain("secret");

      List<OutboxMessage> claimed = s.outbox.claim(List.of(Outbox.MAIL), "node-a", Duration.ofMinutes(1), 10);
      assertThat(claimed).singleElement().satisfies(m -> {
        assertThat(m.payload()).isEqualTo("secret inv_AAAAAAAAAAAAAAAAAAAAAAAA");
        assertThat(m.attempt()).isEqualTo(1);
        assertThat(m.toString()).doesNotContain("inv_");
      });
      assertThat(s.outbox.finish(id, "node-a", Outbox.DELIVERED, null)).isTrue();
      var row = s.jdbi.withHandle(h -> h.createQuery("SELECT status, payload FROM outbox WHERE id = :id").bind("id", id)
          .mapToMap().one());
      assertThat(row.get("status")).isEqualTo("delivered");
      assertThat(row.get("payload")).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void aLeasedRowIsNobodyElsesUntilTheLeaseRunsOut(TestDatabase.Kind kind) throws Exception {
    try (Setup s = setup(kind)) {
      long id = enqueue(s, "one");
      assertThat(s.outbox.claim(List.of(Outbox.MAIL), "node-a", Duration.ofMinutes(1), 10)).hasSize(1);
      assertThat(s.outbox.claim(List.of(Outbox.MAIL), "node-b", Duration.ofMinutes(1), 10)).isEmpty();
      // node-a dies mid-send: once its lease ran out, node-b gets the row (a second attempt)
      s.clock.advance(Duration.ofSeconds(61));
      assertThat(s.outbox.claim(List.of(Outbox.MAIL), "node-b", Duration.ofMinutes(1), 10))
          .singleElement().satisfies(m -> assertThat(m.attempt()).isEqualTo(2));
      // the late node-a cannot finish a row it no longer holds
      assertThat(s.outbox.finish(id, "node-a", Outbox.DELIVERED, null)).isFalse();
      assertThat(s.outbox.finish(id, "node-b", Outbox.DELIVERED, null)).isTrue();
      // kinds without a channel here are left alone
      enqueue(s, "two");
      assertThat(s.outbox.claim(List.of(Outbox.PUSH), "node-b", Duration.ofMinutes(1), 10)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void concurrentClaimersNeverShareARow(TestDatabase.Kind kind) throws Exception {
    try (Setup s = setup(kind)) {
      for (int i = 0; i < 200; i++) enqueue(s, "m" + i);
      Set<Long> seen = ConcurrentHashMap.newKeySet();
      AtomicInteger twice = new AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String owner = "node-" + t;
        Thread thread = new Thread(() -> {
          List<OutboxMessage> batch;
          while (!(batch = s.outbox.claim(List.of(Outbox.MAIL), owner, Duration.ofMinutes(5), 7)).isEmpty()) {
            for (OutboxMessage m : batch) if (!seen.add(m.id())) twice.incrementAndGet();
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) thread.join(60_000);
      assertThat(twice).hasValue(0);
      assertThat(seen).hasSize(200);
    }
  }

  @Test
  void backoffGrowsExponentiallyWithJitterUpToTheCap() {
    Duration min = Duration.ofSeconds(10);
    Duration max = Duration.ofMinutes(5);
    assertThat(DeliveryWorkers.backoff(1, min, max, 0.0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(DeliveryWorkers.backoff(1, min, max, 0.999)).isBetween(Duration.ofMillis(9_900), Duration.ofSeconds(10));
    assertThat(DeliveryWorkers.backoff(3, min, max, 0.0)).isEqualTo(Duration.ofSeconds(20));
    assertThat(DeliveryWorkers.backoff(20, min, max, 0.5)).isEqualTo(Duration.ofMillis(225_000));
  }

  /** A channel that answers from a script, one outcome per attempt. */
  private static final class ScriptedChannel implements Channel {
    final List<Channel.Delivery> script;
    final List<Integer> attempts = Collections.synchronizedList(new ArrayList<>());

    ScriptedChannel(List<Channel.Delivery> script) {
      this.script = script;
    }

    @Override
    public String kind() {
      return Outbox.MAIL;
    }

    @Override
    public Delivery deliver(OutboxMessage message) {
      attempts.add(message.attempt());
      return script.get(Math.min(attempts.size() - 1, script.size() - 1));
    }
  }

  private static NotificationSettings.Outbox settings(int maxAttempts) {
    return new NotificationSettings.Outbox(1, 10, Duration.ofMillis(50), Duration.ofMinutes(1), maxAttempts,
        Duration.ofSeconds(10), Duration.ofMinutes(10));
  }

  private static String status(Setup s, long id) {
    return s.jdbi.withHandle(h -> h.createQuery("SELECT status FROM outbox WHERE id = :id").bind("id", id)
        .mapTo(String.class).one());
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void temporaryFailuresAreRetriedAfterBackoffThenDeadLettered(TestDatabase.Kind kind) throws Exception {
    try (Setup s = setup(kind)) {
      ScriptedChannel channel = new ScriptedChannel(List.of(new Channel.Delivery.RetryLater("SMTP 451")));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      DeliveryWorkers workers = new DeliveryWorkers(s.outbox, List.of(channel), settings(3), registry, "node-a", s.clock);
      long id = enqueue(s, "x");
      assertThat(workers.deliverDueBatch()).isEqualTo(1);
      Instant due = s.jdbi.withHandle(h -> h.createQuery("SELECT due_at FROM outbox WHERE id = :id").bind("id", id)
          .mapTo(Instant.class).one());
      assertThat(due).isBetween(s.clock.instant().plusSeconds(5), s.clock.instant().plusSeconds(10));
      assertThat(workers.deliverDueBatch()).as("not due yet").isZero();
      s.clock.advance(Duration.ofSeconds(11));
      assertThat(workers.deliverDueBatch()).isEqualTo(1);
      s.clock.advance(Duration.ofSeconds(21));
      assertThat(workers.deliverDueBatch()).isEqualTo(1);
      assertThat(channel.attempts).containsExactly(1, 2, 3);
      assertThat(status(s, id)).isEqualTo("dead");
      assertThat(s.outbox.entries(null, Outbox.DEAD, 10)).isEmpty(); // tenant-less rows are not any tenant's
      assertThat(s.outbox.backlog().dead()).isEqualTo(1);
      assertThat(registry.get("videoshop_outbox_deliveries_total").tag("result", "retry").counter().count()).isEqualTo(2);
      assertThat(registry.get("videoshop_outbox_deliveries_total").tag("result", "dead").counter().count()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void permanentFailureIsNotRetriedAndGoneIsDropped(TestDatabase.Kind kind) throws Exception {
    try (Setup s = setup(kind)) {
      long refused = enqueue(s, "refused");
      DeliveryWorkers workers = new DeliveryWorkers(s.outbox,
          List.of(new ScriptedChannel(List.of(new Channel.Delivery.PermanentFailure("SMTP 550")))), settings(8),
          new SimpleMeterRegistry(), "node-a", s.clock);
      workers.deliverDueBatch();
      assertThat(status(s, refused)).isEqualTo("dead");
      long gone = enqueue(s, "gone");
      new DeliveryWorkers(s.outbox, List.of(new ScriptedChannel(List.of(new Channel.Delivery.Gone("expired")))),
          settings(8), new SimpleMeterRegistry(), "node-a", s.clock).deliverDueBatch();
      assertThat(status(s, gone)).isEqualTo("gone");
      s.clock.advance(Duration.ofHours(2));
      assertThat(workers.deliverDueBatch()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void anErasedSubjectsMessageIsDroppedUnread(TestDatabase.Kind kind) throws Exception {
    try (Setup s = setup(kind)) {
      long id = enqueue(s, "about subject-1");
      s.vault.erase("subject-1");
      assertThat(s.outbox.claim(List.of(Outbox.MAIL), "node-a", Duration.ofMinutes(1), 10)).isEmpty();
      assertThat(status(s, id)).isEqualTo("gone");
    }
  }

  @Test
  void workersDeliverWhatIsEnqueuedWithoutWaitingForAPoll() throws Exception {
    try (Setup s = setup(TestDatabase.Kind.H2)) {
      ScriptedChannel channel = new ScriptedChannel(List.of(Channel.Delivery.DELIVERED));
      DeliveryWorkers workers = new DeliveryWorkers(s.outbox, List.of(channel),
          new NotificationSettings.Outbox(2, 10, Duration.ofMinutes(10), Duration.ofMinutes(1), 3,
              Duration.ofSeconds(1), Duration.ofSeconds(2)), new SimpleMeterRegistry(), "node-a", s.clock);
      workers.start();
      try {
        // The workers' idle wait is ten minutes: only the nudge gets this row out in time.
        await().atMost(Duration.ofSeconds(10)).until(() -> s.outbox.backlog().pending() == 0);
        long id = enqueue(s, "now");
        workers.nudge();
        await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(status(s, id)));
      } finally {
        workers.stop(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void theGaugesShowTheBacklogAndItsOldestAge() throws Exception {
    try (Setup s = setup(TestDatabase.Kind.H2)) {
      for (int i = 0; i < 3; i++) enqueue(s, "waiting " + i);
      s.clock.advance(Duration.ofSeconds(60));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      // Only a push channel here: the mail rows wait, as they do on a node without SMTP.
      Channel push = new Channel() {
        @Override
        public String kind() {
          return Outbox.PUSH;
        }

        @Override
        public Delivery deliver(OutboxMessage message) {
          return Delivery.DELIVERED;
        }
      };
      DeliveryWorkers workers = new DeliveryWorkers(s.outbox, List.of(push), settings(3), registry, "node-a", s.clock);
      workers.start();
      try {
        await().atMost(Duration.ofSeconds(20)).until(() ->
            registry.get("videoshop_outbox_pending").gauge().value() == 3
                && registry.get("videoshop_outbox_oldest_age_seconds").gauge().value() == 60);
        assertThat(registry.get("videoshop_outbox_dead").gauge().value()).isZero();
      } finally {
        workers.stop(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void finishedRowsAreDeletedOnceTheirKeepTimeIsOverPendingOnesNever() throws Exception {
    try (Setup s = setup(TestDatabase.Kind.H2)) {
      long done = enqueue(s, "done");
      s.outbox.claim(List.of(Outbox.MAIL), "node-a", Duration.ofMinutes(1), 1);
      s.outbox.finish(done, "node-a", Outbox.DELIVERED, null);
      long waiting = enqueue(s, "waiting");
      DeliveryWorkers workers = new DeliveryWorkers(s.outbox, List.of(), new NotificationSettings.Outbox(1, 10,
          Duration.ofSeconds(1), Duration.ofMinutes(1), 3, Duration.ofSeconds(1), Duration.ofSeconds(2),
          Duration.ofDays(30)), new SimpleMeterRegistry(), "node-a", s.clock);
      s.clock.advance(Duration.ofDays(29));
      workers.purge();
      assertThat(ids(s)).containsExactly(done, waiting);
      s.clock.advance(Duration.ofDays(2));
      workers.purge();
      assertThat(ids(s)).containsExactly(waiting);
    }
  }

  private static List<Long> ids(Setup s) {
    return s.jdbi.withHandle(h -> h.createQuery("SELECT id FROM outbox ORDER BY id").mapTo(Long.class).list());
  }

  /** A mail channel that holds each delivery until released; counts them and remembers the worker's thread. */
  private static final class HeldChannel implements Channel {
    final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch proceed = new java.util.concurrent.CountDownLatch(1);
    final AtomicInteger handed = new AtomicInteger();
    volatile Thread worker;

    @Override
    public String kind() {
      return Outbox.MAIL;
    }

    @Override
    public Delivery deliver(OutboxMessage message) {
      handed.incrementAndGet();
      worker = Thread.currentThread();
      entered.countDown();
      try {
        proceed.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Delivery.DELIVERED;
    }
  }

  /** One worker thread claiming batches of five with a five-minute lease, started on the held channel. */
  private static DeliveryWorkers startedOnOneThread(Setup s, HeldChannel held) throws InterruptedException {
    DeliveryWorkers workers = new DeliveryWorkers(s.outbox, List.of(held), new NotificationSettings.Outbox(1, 5,
        Duration.ofMillis(50), Duration.ofMinutes(5), 3, Duration.ofSeconds(1), Duration.ofSeconds(2)),
        new SimpleMeterRegistry(), "node-a", s.clock);
    workers.start();
    assertThat(held.entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return workers;
  }

  @Test
  void aStoppingNodeFinishesTheMailInHandAndGivesTheRestOfItsBatchBack() throws Exception {
    try (Setup s = setup(TestDatabase.Kind.H2)) {
      for (int i = 0; i < 5; i++) enqueue(s, "m" + i);
      HeldChannel slow = new HeldChannel();
      DeliveryWorkers workers = startedOnOneThread(s, slow);
      Thread stopper = new Thread(() -> workers.stop(Duration.ofSeconds(30)));
      stopper.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> stopper.getState() == Thread.State.TIMED_WAITING
          || stopper.getState() == Thread.State.WAITING);
      slow.proceed.countDown();
      stopper.join(30_000);
      var rows = s.jdbi.withHandle(h -> h.createQuery(
          "SELECT status, attempts, lease_owner FROM outbox ORDER BY id").mapToMap().list());
      assertThat(rows.get(0)).containsEntry("status", "delivered");
      assertThat(rows.subList(1, 5)).allSatisfy(row -> assertThat(row).containsEntry("status", "pending")
          .containsEntry("attempts", 0).containsEntry("lease_owner", null));
      // another node takes them at once, without waiting for the five-minute lease
      assertThat(s.outbox.claim(List.of(Outbox.MAIL), "node-b", Duration.ofMinutes(1), 10)).hasSize(4);
    }
  }

  @Test
  void aHaltedNodeSendsNothingMoreAndItsHeldRowsWaitForTheirLease() throws Exception {
    try (Setup s = setup(TestDatabase.Kind.H2)) {
      for (int i = 0; i < 5; i++) enqueue(s, "m" + i);
      HeldChannel slow = new HeldChannel();
      DeliveryWorkers workers = startedOnOneThread(s, slow);
      workers.halt(); // as the actor system terminating under a crash-like shutdown does
      slow.proceed.countDown();
      slow.worker.join(10_000);
      assertThat(slow.worker.isAlive()).as("the worker thread ended").isFalse();
      assertThat(slow.handed).as("nothing handed to the channel after the halt").hasValue(1);
      var rows = s.jdbi.withHandle(h -> h.createQuery(
          "SELECT status, attempts, lease_owner FROM outbox ORDER BY id").mapToMap().list());
      assertThat(rows.subList(1, 5)).allSatisfy(row -> assertThat(row).containsEntry("status", "pending")
          .containsEntry("attempts", 1).containsEntry("lease_owner", "node-a"));
      // Nobody else takes them while the dead node's lease holds; everybody may once it ran out.
      assertThat(s.outbox.claim(List.of(Outbox.MAIL), "node-b", Duration.ofMinutes(1), 10)).isEmpty();
      s.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
      assertThat(s.outbox.claim(List.of(Outbox.MAIL), "node-b", Duration.ofMinutes(1), 10)).hasSize(4)
          .allSatisfy(m -> assertThat(m.attempt()).isEqualTo(2));
    }
  }

  @Test
  void aMailWhoseTransactionRollsBackIsNeverQueued() throws Exception {
    try (Setup s = setup(TestDatabase.Kind.H2)) {
      Mails mails = new Mails(s.jdbi, s.outbox, new MailTemplates(), new NotificationSettings.Mail(
          NotificationSettings.Transport.FILE, java.nio.file.Path.of("unused"), null, "a@b.test", "T", "https://x.test"),
          s.clock);
      AtomicInteger woken = new AtomicInteger();
      mails.afterEnqueue(woken::incrementAndGet);
      // The cause fails after its mail was queued in its transaction: neither the change nor the mail remains.
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.jdbi.useTransaction(handle -> {
        handle.execute("INSERT INTO mail_opt_outs (tenant_id, address_hash, opted_out_at) VALUES ('t-rb', 'h', "
            + "CURRENT_TIMESTAMP)");
        assertThat(mails.send(handle, new Mails.Mail(null, "subject-1", "x@y.test", "en", "password_changed",
            java.util.Map.of("at", "now")))).isTrue();
        throw new IllegalStateException("the cause failed");
      })).hasMessage("the cause failed");
      assertThat(ids(s)).isEmpty();
      assertThat(woken).as("nobody woken for a mail that never committed").hasValue(0);
      int causes = s.jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM mail_opt_outs WHERE tenant_id = 't-rb'")
          .mapTo(Integer.class).one());
      assertThat(causes).as("the cause rolled back too").isZero();
    }
  }

  @Test
  void aMailQueuedInATransactionWakesTheIdleWorkersOnceCommitted() throws Exception {
    try (Setup s = setup(TestDatabase.Kind.H2)) {
      ScriptedChannel channel = new ScriptedChannel(List.of(Channel.Delivery.DELIVERED));
      DeliveryWorkers workers = new DeliveryWorkers(s.outbox, List.of(channel),
          new NotificationSettings.Outbox(1, 10, Duration.ofMinutes(10), Duration.ofMinutes(1), 3,
              Duration.ofSeconds(1), Duration.ofSeconds(2)), new SimpleMeterRegistry(), "node-a", s.clock);
      Mails mails = new Mails(s.jdbi, s.outbox, new MailTemplates(), new NotificationSettings.Mail(
          NotificationSettings.Transport.FILE, java.nio.file.Path.of("unused"), null, "a@b.test", "T", "https://x.test"),
          s.clock);
      mails.afterEnqueue(workers::nudge);
      workers.start();
      try {
        // The one worker has looked, found nothing and waits ten minutes for its next look.
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream().anyMatch(thread ->
            thread.getName().equals("videoshop-outbox-1") && thread.getState() == Thread.State.TIMED_WAITING));
        s.jdbi.useTransaction(handle -> mails.send(handle, new Mails.Mail(null, "subject-1", "x@y.test", "en",
            "password_changed", java.util.Map.of("at", "now"))));
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.attempts.size() == 1);
      } finally {
        workers.stop(Duration.ofSeconds(5));
      }
    }
  }
}
