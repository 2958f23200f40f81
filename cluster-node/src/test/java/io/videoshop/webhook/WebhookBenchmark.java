package io.videoshop.webhook;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.videoshop.domain.Caller;
import io.videoshop.http.Json;
import io.videoshop.node.VideoShopNode;
import io.videoshop.wallet.Plan;
import io.videoshop.wallet.Wallet;
import io.videoshop.wallet.Wallets;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator, not a test: webhook events produced at a steady rate across many tenants with
 * one endpoint each on a local receiver (a JDK HttpServer in this JVM), one node on PostgreSQL.
 * The events are wallet credits ({@code wallet.credited}: the wallet entity persists, the webhook
 * projection queues, the node's worker signs and posts). Measured: deliveries per second and the
 * lag from the event's persist ({@code timestamp} of the envelope) to the receiver, p50/p99, next
 * to a baseline in the same run: the same receiver driven directly by {@link WebhookSender} (sign,
 * SSRF check, POST) from one thread, as one node's worker sends. Run with
 * {@code bin/videoshop bench-webhooks}; figures are recorded in docs/benchmarks.md.
 *
 * <p>System properties: {@code bench.tenants} (100), {@code bench.rate} (events/s, 1000),
 * {@code bench.seconds} (20); the database from VIDEOSHOP_TEST_PG_URL / _USER / _PASSWORD. It
 * works in a fresh schema it drops at the end.
 *
 * <p>When PostgreSQL runs with autovacuum off (this machine, maybe CI), the hot tables are
 * vacuumed and analysed every 5 s, as autovacuum would: never vacuumed, the projections' tag
 * query and the worker's claim get slower with every row and the run measures that instead.
 */
public final class WebhookBenchmark {
  private static final String PG_URL = env("VIDEOSHOP_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String PG_USER = env("VIDEOSHOP_TEST_PG_USER", "postgres");
  private static final String PG_PASSWORD = env("VIDEOSHOP_TEST_PG_PASSWORD", "");

  private WebhookBenchmark() {}

  public static void main(String[] args) {
    try {
      run();
      System.exit(0);
    } catch (Exception | Error e) {
      e.printStackTrace();
      System.exit(1); // a node half started would keep the JVM alive
    }
  }

  private static void run() throws Exception {
    int tenants = Integer.getInteger("bench.tenants", 100);
    int rate = Integer.getInteger("bench.rate", 1000);
    int seconds = Integer.getInteger("bench.seconds", 20);
    String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    String url = PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    long[] lags = new long[rate * seconds * 2 + 10_000];
    AtomicLong received = new AtomicLong();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      long now = System.currentTimeMillis();
      if (exchange.getRequestURI().getPath().startsWith("/t")) {
        String timestamp = Json.MAPPER.readTree(body).path("timestamp").asText();
        long n = received.getAndIncrement();
        if (n < lags.length) lags[(int) n] = now - Instant.parse(timestamp).toEpochMilli();
      }
      exchange.sendResponseHeaders(204, -1);
      try (OutputStream out = exchange.getResponseBody()) {
        out.flush();
      }
    });
    receiver.start();
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    System.out.printf("Webhook benchmark: %d tenants with one endpoint each, %d events/s for %d s, one node, %d cores, "
        + "PostgreSQL %s%n", tenants, rate, seconds, Runtime.getRuntime().availableProcessors(), PG_URL);
    java.util.concurrent.ScheduledExecutorService vacuum = Executors.newSingleThreadScheduledExecutor();
    if (autovacuumOff()) {
      System.out.println("PostgreSQL runs with autovacuum off: VACUUM (ANALYZE) of " + String.join(", ", HOT_TABLES)
          + " every 5 s, as autovacuum would");
      vacuum.scheduleWithFixedDelay(() -> vacuum(schema), 5, 5, TimeUnit.SECONDS);
    }
    try {
      VideoShopNode node = VideoShopNode.start(config(url));
      try {
        double baseline = baseline(node, base, seconds);
        System.out.printf("baseline sender:   %,10.0f deliveries/s (WebhookSender from one thread, same receiver)%n",
            baseline);
        WebhookEndpoints endpoints = node.platform().webhookEndpoints;
        Wallets wallets = node.platform().wallets;
        List<CompletableFuture<?>> opening = new ArrayList<>();
        for (int i = 0; i < tenants; i++) {
          endpoints.create(Caller.system("bench"), tenant(i), new WebhookEndpoints.EndpointRequest(
              base + "/t" + i, null, List.of("wallet.credited"), true, false));
          String tenant = tenant(i);
          opening.add(wallets.<Wallet.OpenReply>ask(tenant, r -> new Wallet.Open("EUR", new Plan.PayAsYouGo(1), r))
              .toCompletableFuture());
        }
        CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        Thread.sleep(2000); // the projections have started and seen the wallets open
        received.set(0);
        long sent = 0;
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        List<CompletableFuture<?>> credits = new ArrayList<>();
        AtomicLong refused = new AtomicLong();
        while (System.nanoTime() < end) {
          long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
          for (; sent < due; sent++) {
            String tenant = tenant((int) (sent % tenants));
            long n = sent;
            credits.add(wallets.<Wallet.CreditReply>ask(tenant, r -> new Wallet.Credit("bench-" + n,
                Wallet.CreditKind.TOP_UP, 100, null, r)).toCompletableFuture()
                // On the completing thread: Scala's CompletableFuture would run exceptionally() on a
                // new thread per call with fewer than three cores (the JDK's default executor).
                .handleAsync((reply, failure) -> {
                  if (failure != null) refused.incrementAndGet(); // the wallet did not answer in time: not produced
                  return null;
                }, Runnable::run));
          }
          Thread.sleep(1);
        }
        CompletableFuture.allOf(credits.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long producedAt = System.nanoTime();
        long produced = sent - refused.get();
        long deadline = producedAt + Duration.ofSeconds(120).toNanos();
        while (received.get() < produced && System.nanoTime() < deadline) Thread.sleep(100);
        double allIn = (System.nanoTime() - start) / 1e9;
        long got = received.get();
        long[] sorted = Arrays.copyOf(lags, (int) Math.min(got, lags.length));
        Arrays.sort(sorted);
        System.out.println();
        System.out.printf("events produced:   %,10d in %d s (%,.0f /s; %,d credits not answered in time)%n", produced,
            seconds, produced / (double) seconds, refused.get());
        System.out.printf("delivered:         %,10d in %.1f s from the first event: %,.0f deliveries/s%n", got, allIn,
            got / allIn);
        System.out.printf("lag persist->recv: p50 %,.0f ms, p99 %,.0f ms, max %,.0f ms%n", quantile(sorted, 0.50),
            quantile(sorted, 0.99), sorted.length == 0 ? 0.0 : (double) sorted[sorted.length - 1]);
        System.out.printf("node / baseline:   %10.1f %%%n", 100 * (got / allIn) / baseline);
      } finally {
        node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      vacuum.shutdownNow();
      vacuum.awaitTermination(60, TimeUnit.SECONDS);
      receiver.stop(0);
      try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
          Statement statement = admin.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  /** The tables every event's path writes and polls: the journal and its tags, the delivery log. */
  private static final List<String> HOT_TABLES = List.of("event_journal", "event_tag", "webhook_messages",
      "webhook_attempts", "pekko_projection_offset_store", "snapshot");

  private static boolean autovacuumOff() throws java.sql.SQLException {
    try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement statement = admin.createStatement();
        java.sql.ResultSet rows = statement.executeQuery("SHOW autovacuum")) {
      return rows.next() && "off".equals(rows.getString(1));
    }
  }

  private static void vacuum(String schema) {
    try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement statement = admin.createStatement()) {
      for (String table : HOT_TABLES) {
        // A table the node has not created yet (migrations still running) is skipped.
        try (java.sql.ResultSet exists = statement.executeQuery("SELECT to_regclass('" + schema + "." + table + "')")) {
          if (!exists.next() || exists.getString(1) == null) continue;
        }
        statement.execute("VACUUM (ANALYZE) " + schema + "." + table);
      }
    } catch (java.sql.SQLException e) {
      System.out.println("vacuum: " + e.getMessage());
    }
  }

  /** One thread sending signed messages with the node's sender for a while: deliveries per second. */
  private static double baseline(VideoShopNode node, String base, int seconds) {
    WebhookSender sender = new WebhookSender(node.system(), new AddressGuard(List.of("127.0.0.1")), Duration.ofSeconds(15),
        Clock.systemUTC());
    List<String> secrets = List.of(WebhookSignature.newSecret());
    long count = 0;
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(Math.max(5, seconds / 2)).toNanos();
    while (System.nanoTime() < end) {
      sender.send(new WebhookSender.Message("msg_" + count, base + "/baseline",
          "{\"type\":\"wallet.credited\",\"n\":" + count + "}"), secrets);
      count++;
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  private static Config config(String url) {
    return ConfigFactory.load(ConfigFactory.parseString("""
        videoshop.database { kind = postgres, url = "%s", user = "%s", password = "%s" }
        videoshop.http { host = "127.0.0.1", port = 0 }
        videoshop.cluster { host = "127.0.0.1", port = 0 }
        videoshop.management { host = "127.0.0.1", port = 0 }
        videoshop.webhooks.allowed-hosts = "127.0.0.1"
        videoshop.privacy.master-key = "%s"
        videoshop.log.level = WARN
        pekko.coordinated-shutdown.exit-jvm = off
        """.formatted(url, PG_USER, PG_PASSWORD, masterKey())).withFallback(ConfigFactory.defaultApplication()));
  }

  /** A fresh master key for the run's own schema (dropped at the end). */
  private static String masterKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return "k1:" + java.util.Base64.getEncoder().encodeToString(key);
  }

  private static String tenant(int index) {
    return "bench-" + index;
  }

  private static double quantile(long[] sorted, double q) {
    if (sorted.length == 0) return 0;
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
