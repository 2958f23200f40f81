package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.videoshop.domain.Caller;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL share a backlog of webhook messages to 50 endpoints on a local
 * receiver; one node dies hard a third of the way. Every message arrives at least once, every
 * arrival of a message under its one {@code webhook-id}, and each endpoint's messages first arrive
 * in the order they were queued. Issue #12's test with messages queued straight into the log, not
 * produced by entities, and 1,000 of them by default; 10,000 (the count, by the property
 * below) passed at commit 867e4d1 in 126 s on this shared machine, 100 s of it delivering
 * (docs/benchmarks.md), too long for every build.
 */
class WebhooksAcrossNodesTest {
  private static final int ENDPOINTS = 50;
  /** 20 by default (1,000 messages); {@code -Dvideoshop.test.webhooks-per-endpoint=200} is issue #12's 10,000. */
  private static final int PER_ENDPOINT = Integer.getInteger("videoshop.test.webhooks-per-endpoint", 20);
  private static final String CRASHABLE = """
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.cluster.run-coordinated-shutdown-when-down = off
      pekko.cluster.split-brain-resolver.stable-after = 4s
      videoshop.webhooks.allowed-hosts = "127.0.0.1"
      videoshop.webhooks.request-timeout = 2s
      videoshop.webhooks.max-endpoints-per-tenant = 100
      """;

  private record Arrival(String path, String webhookId, int n) {}

  @Test
  void twoNodesShareTheDeliveriesAndAKilledNodeLosesNoneAndKeepsTheOrder() throws Exception {
    List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(8));
    receiver.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      arrivals.add(new Arrival(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("webhook-id"),
          Integer.parseInt(body.replaceAll("\\D", ""))));
      exchange.sendResponseHeaders(204, -1);
      try (OutputStream out = exchange.getResponseBody()) {
        out.flush();
      }
    });
    receiver.start();
    try (TestPlatform a = new TestPlatform(TestDatabase.postgres(), CRASHABLE)) {
      String seed = "videoshop.cluster.seed-nodes = \"127.0.0.1:" + a.node.system().address().getPort().get() + "\"";
      VideoShopNode b = TestNodes.start(a.database, seed, CRASHABLE,
          "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"");
      boolean bAlive = true;
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of(a.node, b).stream().allMatch(node ->
            Cluster.get(node.system()).state().members().size() == 2
                && Cluster.get(node.system()).selfMember().status() == MemberStatus.up()));
        String tenantId = a.tenant("whx-" + Long.toHexString(System.nanoTime()).substring(6)).id();
        WebhookEndpoints endpoints = a.node.platform().webhookEndpoints;
        WebhookDeliveries deliveries = a.node.platform().webhookDeliveries;
        List<String> endpointIds = new ArrayList<>();
        for (int e = 0; e < ENDPOINTS; e++) {
          endpointIds.add(endpoints.create(Caller.system("test"), tenantId, new WebhookEndpoints.EndpointRequest(
              "http://127.0.0.1:" + receiver.getAddress().getPort() + "/e" + e, null, null, false, null))
              .endpoint().id());
        }
        // Queued disabled, then switched on together: both nodes start on a full backlog.
        Map<String, List<String>> queued = new LinkedHashMap<>();
        for (int n = 0; n < PER_ENDPOINT; n++) {
          for (int e = 0; e < ENDPOINTS; e++) {
            queued.computeIfAbsent("/e" + e, path -> new ArrayList<>())
                .add(deliveries.enqueue(tenantId, endpointIds.get(e), "ping", "{\"n\":" + n + "}"));
          }
        }
        int total = ENDPOINTS * PER_ENDPOINT;
        Set<String> owners = ConcurrentHashMap.newKeySet();
        a.node.platform().jdbi.useHandle(handle -> handle.createUpdate(
            "UPDATE webhook_endpoints SET enabled = TRUE WHERE tenant_id = :t").bind("t", tenantId).execute());
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(Math.max(60, total / 30))).pollInterval(Duration.ofMillis(50)).until(() -> {
          owners.addAll(a.node.platform().jdbi.withHandle(handle -> handle.createQuery(
              "SELECT DISTINCT lease_owner FROM webhook_messages WHERE lease_owner IS NOT NULL AND tenant_id = :t")
              .bind("t", tenantId).mapTo(String.class).list()));
          return arrivals.size() >= total / 3;
        });
        b.system().terminate(); // a crash as the other node sees it: leases left held
        bAlive = false;
        int atKill = arrivals.size();
        double killedAfter = (System.nanoTime() - started) / 1e9;

        await().atMost(Duration.ofSeconds(Math.max(90, total / 15))).pollInterval(Duration.ofMillis(500)).until(() ->
            a.node.platform().jdbi.withHandle(handle -> handle.createQuery(
                "SELECT count(*) FROM webhook_messages WHERE tenant_id = :t AND status = 'delivered'")
                .bind("t", tenantId).mapTo(Integer.class).one()) == total);
        double seconds = (System.nanoTime() - started) / 1e9;

        Map<String, Set<Integer>> idsPerMessage = new HashMap<>();
        Map<String, List<Integer>> firstArrivals = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Arrival arrival : arrivals) {
          idsPerMessage.computeIfAbsent(arrival.webhookId(), id -> new HashSet<>()).add(arrival.n());
          if (seen.add(arrival.webhookId())) {
            firstArrivals.computeIfAbsent(arrival.path(), path -> new ArrayList<>()).add(arrival.n());
          }
        }
        System.out.printf("Webhooks across nodes: %d messages to %d endpoints, %d arrivals (%d at the kill after "
            + "%.1f s), %d repeats, all delivered in %.1f s (%.0f/s), lease owners seen %d%n", total, ENDPOINTS,
            arrivals.size(), atKill, killedAfter, arrivals.size() - seen.size(), seconds, total / seconds,
            owners.size());
        Set<String> expectedIds = new HashSet<>();
        queued.values().forEach(expectedIds::addAll);
        assertThat(seen).as("every message at least once, under its own id").isEqualTo(expectedIds);
        assertThat(idsPerMessage.values()).as("one id, one body").allSatisfy(bodies -> assertThat(bodies).hasSize(1));
        for (int e = 0; e < ENDPOINTS; e++) {
          assertThat(firstArrivals.get("/e" + e)).as("order at endpoint %d", e).isSorted().hasSize(PER_ENDPOINT);
        }
        assertThat(owners).as("both nodes' workers took messages").hasSizeGreaterThanOrEqualTo(2);
      } finally {
        if (bAlive) b.system().terminate();
        b.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } finally {
      receiver.stop(0);
    }
  }
}
