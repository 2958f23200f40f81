package io.videoshop.scheduling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.tenant.BusinessHours;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Load generator, not a test: the booking calendars of 100 tenants x 10 agents over 30 days on
 * PostgreSQL, driven through Cluster Sharding and the journal (the path every booking endpoint
 * takes after parsing), on one node. Measured in one run: slot queries over 30 days with no
 * bookings (the baseline), bookings per second (each a persisted event; some lose their slot to
 * another and are counted apart), slot queries again with the bookings in place, and the raw
 * insert ceiling of the same PostgreSQL. Run with {@code bin/videoshop bench-booking}; figures in
 * docs/benchmarks.md.
 *
 * <p>Settings (system properties): {@code bench.tenants} (100), {@code bench.agents} (10),
 * {@code bench.seconds} (15 per phase), {@code bench.concurrency} (32 requests in flight),
 * {@code bench.pool} (16 connections); the database from VIDEOSHOP_TEST_PG_URL / _USER /
 * _PASSWORD. It works in a fresh schema it drops at the end.
 */
public final class BookingBenchmark {
  private static final String PG_URL = env("VIDEOSHOP_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String PG_USER = env("VIDEOSHOP_TEST_PG_USER", "postgres");
  private static final String PG_PASSWORD = env("VIDEOSHOP_TEST_PG_PASSWORD", "");
  private static final List<String> ZONES = List.of("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney");

  private BookingBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tenants = Integer.getInteger("bench.tenants", 100);
    int agents = Integer.getInteger("bench.agents", 10);
    int seconds = Integer.getInteger("bench.seconds", 15);
    int concurrency = Integer.getInteger("bench.concurrency", 32);
    int pool = Integer.getInteger("bench.pool", 16);
    String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    String url = PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    System.out.printf("Booking benchmark: %d tenants x %d agents, 30 days ahead, %d s a phase, %d in flight, pool %d, "
        + "%d cores, PostgreSQL %s%n", tenants, agents, seconds, concurrency, pool,
        Runtime.getRuntime().availableProcessors(), PG_URL);
    try {
      VideoShopNode node = VideoShopNode.start(config(url, pool));
      try {
        BookingCalendars calendars = node.platform().calendars;
        List<BookingCalendar.TenantHours> hours = setUp(calendars, tenants, agents, concurrency);
        Instant now = Instant.now();
        Instant from = now.truncatedTo(ChronoUnit.DAYS);
        Instant to = from.plus(Duration.ofDays(30));
        IntFunction<CompletableFuture<Boolean>> query = i -> {
          int tenant = i % tenants;
          return calendars.<BookingCalendar.Slots>ask(tenant(tenant), r -> new BookingCalendar.GetSlots(hours.get(tenant),
              from, to, null, r)).thenApply(slots -> !slots.slots().isEmpty()).toCompletableFuture();
        };
        int slotsPerTenant = calendars.<BookingCalendar.Slots>ask(tenant(0), r -> new BookingCalendar.GetSlots(
            hours.get(0), from, to, null, r)).toCompletableFuture().get(30, TimeUnit.SECONDS).slots().size();
        List<List<Instant>> offered = new ArrayList<>();
        for (int t = 0; t < tenants; t++) {
          int tenant = t;
          offered.add(calendars.<BookingCalendar.Slots>ask(tenant(t), r -> new BookingCalendar.GetSlots(hours.get(tenant),
              from, to, null, r)).toCompletableFuture().get(30, TimeUnit.SECONDS).slots().stream()
              .map(BookingCalendar.Slot::start).toList());
        }
        run(query, Duration.ofSeconds(3), concurrency); // warm-up
        Phase empty = run(query, Duration.ofSeconds(seconds), concurrency);

        AtomicLong taken = new AtomicLong();
        IntFunction<CompletableFuture<Boolean>> book = i -> {
          int tenant = ThreadLocalRandom.current().nextInt(tenants);
          // A random offered slot of the tenant: shoppers race for the same times, so some find
          // every agent taken by then (slot_taken, counted apart).
          List<Instant> starts = offered.get(tenant);
          Instant start = starts.get(ThreadLocalRandom.current().nextInt(starts.size()));
          String subject = "s-" + UUID.randomUUID();
          BookingDetails details = new BookingDetails(subject, new EncryptedPersonalData(subject, "bmFtZQ=="),
              new EncryptedPersonalData(subject, "ZW1haWw="), null, null, null, "Europe/Berlin", true);
          return calendars.<BookingCalendar.BookingReply>ask(tenant(tenant), r -> new BookingCalendar.Book(
                  hours.get(tenant), UUID.randomUUID().toString(), start, null, details, r))
              .thenApply(reply -> {
                if (reply instanceof BookingCalendar.Refused refused && refused.reason() == BookingRefusal.SLOT_TAKEN) {
                  taken.incrementAndGet();
                }
                return reply instanceof BookingCalendar.BookingAccepted;
              }).toCompletableFuture();
        };
        Phase bookings = run(book, Duration.ofSeconds(seconds), concurrency);
        Phase full = run(query, Duration.ofSeconds(seconds), concurrency);
        double ceiling = rawInserts(url, pool, 400, seconds);

        System.out.println();
        System.out.printf("slot queries, no bookings:   %,9.0f /s  (p50 %.2f ms, p99 %.2f ms; 30 days, %d slots a tenant)%n",
            empty.perSecond(seconds), empty.millis(0.50), empty.millis(0.99), slotsPerTenant);
        System.out.printf("bookings made:               %,9.0f /s  (p50 %.2f ms, p99 %.2f ms of all %,d requests; %,d made, "
            + "%,d slot_taken, %,d other refusals)%n", bookings.succeeded() / (double) seconds, bookings.millis(0.50),
            bookings.millis(0.99), bookings.count(), bookings.succeeded(), taken.get(),
            bookings.count() - bookings.succeeded() - taken.get());
        System.out.printf("slot queries, with bookings: %,9.0f /s  (p50 %.2f ms, p99 %.2f ms; %,d bookings held)%n",
            full.perSecond(seconds), full.millis(0.50), full.millis(0.99), bookings.succeeded());
        System.out.printf("raw PostgreSQL:              %,9.0f rows/s (batched inserts of 400-byte journal-shaped rows, "
            + "%d threads)%n", ceiling, pool);
        System.out.printf("bookings / ceiling:          %9.2f %%%n", 100 * bookings.succeeded() / (double) seconds / ceiling);
      } finally {
        node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
          Statement statement = admin.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  /** Each tenant: weekday hours 09:00-12:00 and 13:00-18:00 in one of four zones, the default policy, its agents. */
  private static List<BookingCalendar.TenantHours> setUp(BookingCalendars calendars, int tenants, int agents,
      int concurrency) throws Exception {
    Map<String, List<BusinessHours.Window>> weekly = new LinkedHashMap<>();
    for (DayOfWeek day : DayOfWeek.values()) {
      if (day != DayOfWeek.SATURDAY && day != DayOfWeek.SUNDAY) {
        weekly.put(BusinessHours.dayName(day), List.of(new BusinessHours.Window("09:00", "12:00"),
            new BusinessHours.Window("13:00", "18:00")));
      }
    }
    BusinessHours business = new BusinessHours(weekly, List.of());
    List<BookingCalendar.TenantHours> hours = new ArrayList<>();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int t = 0; t < tenants; t++) {
      hours.add(new BookingCalendar.TenantHours(ZONES.get(t % ZONES.size()), business));
      for (int a = 0; a < agents; a++) {
        String agent = "agent-" + a;
        List<String> off = a == 0 ? List.of(Instant.now().plus(Duration.ofDays(3)).toString().substring(0, 10)) : List.of();
        pending.add(calendars.<BookingCalendar.ScheduleReply>ask(tenant(t), r -> new BookingCalendar.SetWorkingHours(agent,
            new WorkingHours(true, null, null, off), r)).toCompletableFuture());
        if (pending.size() >= concurrency) {
          CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
          pending.clear();
        }
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    return hours;
  }

  record Phase(long count, long succeeded, long[] sortedNanos) {
    double perSecond(int seconds) {
      return count / (double) seconds;
    }

    double millis(double quantile) {
      if (sortedNanos.length == 0) return 0;
      return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.ceil(quantile * sortedNanos.length) - 1)] / 1e6;
    }
  }

  /** Keeps {@code concurrency} requests in flight for the duration; latency of each answered one. */
  private static Phase run(IntFunction<CompletableFuture<Boolean>> request, Duration duration, int concurrency)
      throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    long[] latencies = new long[5_000_000];
    AtomicInteger done = new AtomicInteger();
    AtomicLong succeeded = new AtomicLong();
    AtomicInteger next = new AtomicInteger();
    CountDownLatch finished = new CountDownLatch(concurrency);
    for (int lane = 0; lane < concurrency; lane++) loop(request, deadline, next, done, succeeded, latencies, finished);
    finished.await(duration.toSeconds() + 60, TimeUnit.SECONDS);
    long[] sorted = Arrays.copyOf(latencies, Math.min(done.get(), latencies.length));
    Arrays.sort(sorted);
    return new Phase(done.get(), succeeded.get(), sorted);
  }

  private static void loop(IntFunction<CompletableFuture<Boolean>> request, long deadline, AtomicInteger next,
      AtomicInteger done, AtomicLong succeeded, long[] latencies, CountDownLatch finished) {
    if (System.nanoTime() >= deadline) {
      finished.countDown();
      return;
    }
    long started = System.nanoTime();
    request.apply(next.getAndIncrement()).whenComplete((ok, failure) -> {
      int n = done.getAndIncrement();
      if (n < latencies.length) latencies[n] = System.nanoTime() - started;
      if (failure == null && ok) succeeded.incrementAndGet();
      loop(request, deadline, next, done, succeeded, latencies, finished);
    });
  }

  /** Batched inserts of journal-shaped rows from {@code threads} connections for the duration: rows per second. */
  private static double rawInserts(String url, int threads, int payloadBytes, int seconds) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE raw_journal_rows (
            ordering BIGSERIAL, persistence_id VARCHAR(255) NOT NULL, sequence_number BIGINT NOT NULL,
            writer VARCHAR(255) NOT NULL, event_payload BYTEA NOT NULL, PRIMARY KEY (persistence_id, sequence_number))""");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    AtomicLong rows = new AtomicLong();
    byte[] payload = new byte[payloadBytes];
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        try (Connection connection = DriverManager.getConnection(url + "&reWriteBatchedInserts=true", PG_USER, PG_PASSWORD);
            PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO raw_journal_rows (persistence_id, sequence_number, writer, event_payload) VALUES (?, ?, ?, ?)")) {
          connection.setAutoCommit(false);
          long sequence = 0;
          while (System.nanoTime() < deadline) {
            for (int i = 0; i < 100; i++) {
              insert.setString(1, "BookingCalendar|bench-" + thread + "-" + (sequence % 100));
              insert.setLong(2, ++sequence);
              insert.setString(3, "writer-" + thread);
              insert.setBytes(4, payload);
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
    return "bench-tenant-" + index;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
