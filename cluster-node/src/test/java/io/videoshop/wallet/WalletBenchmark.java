package io.videoshop.wallet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.videoshop.node.VideoShopNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * Load generator, not a test: wallet debits per second across many tenants on PostgreSQL through
 * Cluster Sharding and the journal, with the latency of a debit, next to the raw ceiling of the
 * same PostgreSQL measured in the same run (batched JDBC inserts of rows shaped and sized like a
 * journal row). Run with {@code bin/videoshop bench-wallet} (see README.md); figures are recorded
 * in docs/benchmarks.md.
 *
 * <p>Settings (system properties): {@code bench.tenants} (1000), {@code bench.seconds} (20),
 * {@code bench.concurrency} (64 debits in flight), {@code bench.pool} (16 connections); the
 * database from VIDEOSHOP_TEST_PG_URL / _USER / _PASSWORD (127.0.0.1:5432/test, postgres). It
 * works in a fresh schema it drops at the end.
 */
public final class WalletBenchmark {
  private static final String PG_URL = env("VIDEOSHOP_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String PG_USER = env("VIDEOSHOP_TEST_PG_USER", "postgres");
  private static final String PG_PASSWORD = env("VIDEOSHOP_TEST_PG_PASSWORD", "");

  private WalletBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tenants = Integer.getInteger("bench.tenants", 1000);
    int seconds = Integer.getInteger("bench.seconds", 20);
    int concurrency = Integer.getInteger("bench.concurrency", 64);
    int pool = Integer.getInteger("bench.pool", 16);
    String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    String url = PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    System.out.printf("Wallet benchmark: %d tenants, %d s, %d debits in flight, pool %d, %d cores, PostgreSQL %s%n",
        tenants, seconds, concurrency, pool, Runtime.getRuntime().availableProcessors(), PG_URL);
    try {
      Result wallets = walletDebits(url, pool, tenants, seconds, concurrency);
      double ceiling = rawInserts(url, pool, wallets.journalRowBytes(), seconds);
      System.out.println();
      System.out.printf("wallet debits:      %,10.0f /s  (%,d in %d s; p50 %.1f ms, p99 %.1f ms, max %.1f ms)%n",
          wallets.perSecond(), wallets.count(), seconds, wallets.p50Millis(), wallets.p99Millis(),
          wallets.maxMillis());
      System.out.printf("raw PostgreSQL:     %,10.0f rows/s (batched inserts of %d-byte journal-shaped rows, %d "
          + "threads, batches of 100)%n", ceiling, wallets.journalRowBytes(), pool);
      System.out.printf("debits / ceiling:   %10.1f %%  (each debit writes a journal row and a tag row; the ledger "
          + "projection adds a row and reads the journal)%n", 100 * wallets.perSecond() / ceiling);
      System.out.printf("ledger projection:  %,10d of %,d debits projected when the run ended%n",
          wallets.projected(), wallets.count() + wallets.warmUp());
    } finally {
      try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
          Statement statement = admin.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  record Result(long count, long warmUp, double perSecond, double p50Millis, double p99Millis, double maxMillis,
      int journalRowBytes, long projected) {}

  private static Result walletDebits(String url, int pool, int tenants, int seconds, int concurrency)
      throws Exception {
    VideoShopNode node = VideoShopNode.start(config(url, pool));
    try {
      Wallets wallets = node.platform().wallets;
      List<CompletableFuture<?>> opening = new ArrayList<>();
      for (int i = 0; i < tenants; i++) {
        String tenant = tenant(i);
        opening.add(wallets.<Wallet.OpenReply>ask(tenant, r -> new Wallet.Open("EUR", new Plan.PayAsYouGo(1), r))
            .thenCompose(opened -> wallets.<Wallet.CreditReply>ask(tenant,
                r -> new Wallet.Credit("bench", Wallet.CreditKind.TOP_UP, 1_000_000_000L, null, r)))
            .toCompletableFuture());
        if (opening.size() >= concurrency) {
          CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
          opening.clear();
        }
      }
      CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      AtomicIntegerArray minutes = new AtomicIntegerArray(tenants);
      long warmUp = run(wallets, tenants, minutes, Duration.ofSeconds(5), concurrency, null).count();
      long[] latencies = new long[20_000_000];
      Run measured = run(wallets, tenants, minutes, Duration.ofSeconds(seconds), concurrency, latencies);
      long[] sorted = Arrays.copyOf(latencies, (int) Math.min(measured.count(), latencies.length));
      Arrays.sort(sorted);
      int journalRow = journalRowBytes(node);
      long projected;
      try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
          ResultSet rows = connection.createStatement().executeQuery(
              "SELECT count(*) FROM ledger_entries WHERE kind = 'call_minute'")) {
        rows.next();
        projected = rows.getLong(1);
      }
      return new Result(measured.count(), warmUp, measured.count() / (double) seconds, millis(sorted, 0.50),
          millis(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, journalRow, projected);
    } finally {
      node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  record Run(long count) {}

  /** Keeps {@code concurrency} debits in flight, round robin over the tenants, for the duration. */
  private static Run run(Wallets wallets, int tenants, AtomicIntegerArray minutes, Duration duration, int concurrency,
      long[] latencies) throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    AtomicLong next = new AtomicLong();
    AtomicInteger done = new AtomicInteger();
    CountDownLatch finished = new CountDownLatch(concurrency);
    for (int lane = 0; lane < concurrency; lane++) {
      debitLoop(wallets, tenants, minutes, deadline, next, done, latencies, finished);
    }
    finished.await(duration.toSeconds() + 60, TimeUnit.SECONDS);
    return new Run(done.get());
  }

  private static void debitLoop(Wallets wallets, int tenants, AtomicIntegerArray minutes, long deadline,
      AtomicLong next, AtomicInteger done, long[] latencies, CountDownLatch finished) {
    if (System.nanoTime() >= deadline) {
      finished.countDown();
      return;
    }
    int index = (int) (next.getAndIncrement() % tenants);
    int minute = minutes.getAndIncrement(index);
    long started = System.nanoTime();
    wallets.<Wallet.DebitReply>ask(tenant(index), r -> new Wallet.DebitMinute("bench-room", minute, r))
        .whenComplete((reply, failure) -> {
          if (failure == null && reply instanceof Wallet.MinuteRecorded) {
            int n = done.getAndIncrement();
            if (latencies != null && n < latencies.length) latencies[n] = System.nanoTime() - started;
          }
          debitLoop(wallets, tenants, minutes, deadline, next, done, latencies, finished);
        });
  }

  /** The size of a debit's journal row: its serialized event plus the row's other columns. */
  private static int journalRowBytes(VideoShopNode node) {
    var debit = new Wallet.Debited("minute:bench-room:1234", Wallet.DebitKind.CALL_MINUTE, 1, 999_998_766L,
        "bench-room", 1234, false, Instant.now());
    byte[] payload = SerializationExtension.get(Adapter.toClassic(node.system())).serialize(debit).get();
    return payload.length;
  }

  /** Batched inserts of journal-shaped rows from {@code threads} connections for the duration: rows per second. */
  private static double rawInserts(String url, int threads, int payloadBytes, int seconds) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE raw_journal_rows (
            ordering BIGSERIAL, persistence_id VARCHAR(255) NOT NULL, sequence_number BIGINT NOT NULL,
            deleted BOOLEAN NOT NULL, writer VARCHAR(255) NOT NULL, write_timestamp BIGINT,
            adapter_manifest VARCHAR(255), event_ser_id INTEGER NOT NULL, event_ser_manifest VARCHAR(255) NOT NULL,
            event_payload BYTEA NOT NULL, PRIMARY KEY (persistence_id, sequence_number))""");
    }
    String batchedUrl = url + "&reWriteBatchedInserts=true";
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    AtomicLong rows = new AtomicLong();
    byte[] payload = new byte[payloadBytes];
    Arrays.fill(payload, (byte) 7);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        try (Connection connection = DriverManager.getConnection(batchedUrl, PG_USER, PG_PASSWORD);
            PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO raw_journal_rows (persistence_id, sequence_number, deleted, writer, write_timestamp,
                  adapter_manifest, event_ser_id, event_ser_manifest, event_payload)
                VALUES (?, ?, false, ?, ?, '', 33, 'io.videoshop.wallet.Wallet$Debited', ?)""")) {
          connection.setAutoCommit(false);
          long sequence = 0;
          while (System.nanoTime() < deadline) {
            for (int i = 0; i < 100; i++) {
              insert.setString(1, "Wallet|bench-" + thread + "-" + (sequence % 125));
              insert.setLong(2, ++sequence);
              insert.setString(3, "writer-" + thread);
              insert.setLong(4, System.currentTimeMillis());
              insert.setBytes(5, payload);
              insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
            rows.addAndGet(100);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      worker.start();
      workers.add(worker);
    }
    for (Thread worker : workers) worker.join();
    return rows.get() / (double) seconds;
  }

  private static Config config(String url, int pool) {
    return ConfigFactory.load(ConfigFactory.parseString("""
        videoshop.database { kind = postgres, url = "%s", user = "%s", password = "%s", pool-size = %d }
        videoshop.http { host = "127.0.0.1", port = 0 }
        videoshop.cluster { host = "127.0.0.1", port = 0 }
        videoshop.management { host = "127.0.0.1", port = 0 }
        videoshop.log.level = WARN
        pekko.coordinated-shutdown.exit-jvm = off
        """.formatted(url, PG_USER, PG_PASSWORD, pool)).withFallback(ConfigFactory.defaultApplication()));
  }

  private static String tenant(int index) {
    return "bench-" + index;
  }

  private static double millis(long[] sorted, double quantile) {
    if (sorted.length == 0) return 0;
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
