package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.videoshop.persistence.DatabaseUnavailableException;
import io.videoshop.persistence.TestDatabase;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class NodeLifecycleTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void startsAnswersHealthAndMetricsThenStopsCleanly(TestDatabase.Kind kind) throws Exception {
    try (TestDatabase database = TestDatabase.create(kind)) {
      VideoShopNode node = TestNodes.start(database);
      int port = node.httpPort();
      int management = node.managementPort();
      assertThat(management).as("management bound on a port of its own").isPositive().isNotEqualTo(port);

      assertThat(get(port, "/health/alive").statusCode()).isEqualTo(200);
      assertThat(get(management, "/alive").statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        HttpResponse<String> ready = get(port, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\",\"checks\":{\"cluster\":\"ok\",\"journal\":\"ok\",\"sharding\":\"ok\"}}");
      });
      assertThat(get(management, "/ready").statusCode()).as("management agrees with /health/ready").isEqualTo(200);

      assertThat(get(port, "/metrics").statusCode()).as("not on the public HTTP port").isEqualTo(404);
      HttpResponse<String> metrics = get(management, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
      assertThat(metrics.body())
          .contains("jvm_memory_used_bytes")
          .contains("pekko_cluster_members{node=")
          .contains("pekko_cluster_self_up{node=")
          .contains("hikaricp_connections")
          .contains("http_server_requests_seconds_count{method=\"GET\",node=")
          .contains("path=\"/health/ready\",status=\"200\"");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(management, "/metrics").body())
          .containsPattern("pekko_sharding_shards\\{node=\"[^\"]+\",type=\"TenantQueue\"} ")
          .containsPattern("pekko_sharding_entities\\{node=\"[^\"]+\",type=\"CallRoom\"} ")
          .containsPattern("videoshop_journal_write_seconds_count\\{node=\"[^\"]+\"} [1-9]"));

      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(node.system().getWhenTerminated().toCompletableFuture().isDone()).isTrue();
      assertThatThrownBy(() -> get(port, "/health/alive")).hasCauseInstanceOf(ConnectException.class);
      assertThatThrownBy(() -> get(management, "/alive")).hasCauseInstanceOf(ConnectException.class);
    }
  }

  @Test
  void managementReadinessWaitsForTheClusterLikeHealthReady() throws Exception {
    // Seed nodes that never answer: the node stays Joining, so neither port may call it ready.
    VideoShopNode node = TestNodes.start(TestDatabase.h2InMemory(),
        "videoshop.cluster.seed-nodes = \"127.0.0.1:1\"");
    try {
      HttpResponse<String> ready = get(node.httpPort(), "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"cluster\":\"member status is ");
      HttpResponse<String> managementReady = get(node.managementPort(), "/ready");
      assertThat(managementReady.statusCode()).isEqualTo(500);
      assertThat(managementReady.body()).startsWith("Not Healthy");
      assertThat(get(node.managementPort(), "/alive").statusCode()).as("alive is not readiness").isEqualTo(200);
    } finally {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void reportsNotReadyWhenTheJournalStopsAnswering() throws Exception {
    try (TestDatabase database = TestDatabase.postgres()) {
      VideoShopNode node = TestNodes.start(database);
      try {
        int port = node.httpPort();
        await().atMost(Duration.ofSeconds(20)).until(() -> get(port, "/health/ready").statusCode() == 200);

        database.close(); // drops the node's schema under it: the journal's tables are gone

        HttpResponse<String> ready = get(port, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"status\":\"not-ready\"").contains("\"cluster\":\"ok\"")
            .contains("event_journal");
        assertThat(get(port, "/health/alive").statusCode()).as("alive is not readiness").isEqualTo(200);
        assertThat(get(node.managementPort(), "/ready").statusCode()).as("management agrees").isEqualTo(500);
        assertThat(get(node.managementPort(), "/alive").statusCode()).isEqualTo(200);
      } finally {
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void anUnreachableDatabaseStopsTheStartWithAClearErrorAndNoRunningSystem() {
    long started = System.nanoTime();
    assertThatThrownBy(() -> VideoShopNode.start(TestNodes.config(TestDatabase.h2InMemory(), """
            videoshop.database { kind = postgres, url = "jdbc:postgresql://127.0.0.1:1/nowhere", user = shop,
              connection-timeout = 2s }
            """)))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("Cannot connect to the database at jdbc:postgresql://127.0.0.1:1/nowhere as shop")
        .hasMessageContaining("Connection refused");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
