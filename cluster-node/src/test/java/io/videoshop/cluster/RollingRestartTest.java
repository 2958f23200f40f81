package io.videoshop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A node that leaves gracefully (as on SIGTERM in a rolling upgrade) tells its sockets to
 * reconnect, hands off its shards and stops in bounded time; its shoppers resume on another node
 * and keep their places.
 */
class RollingRestartTest {
  private static final String ORIGIN = "https://shop.test";

  @Test
  void aLeavingNodeSendsItsSocketsElsewhereAndShoppersKeepTheirPlaces() throws Exception {
    Logger regions = (Logger) LoggerFactory.getLogger("org.apache.pekko.cluster.sharding.ShardRegion");
    ListAppender<ILoggingEvent> regionLog = new ListAppender<>();
    regionLog.start();
    regions.addAppender(regionLog);
    try (TestPlatform staying = new TestPlatform(TestDatabase.postgres())) {
      VideoShopNode leaving = TestNodes.start(staying.database,
          "videoshop.cluster.seed-nodes = \"127.0.0.1:" + staying.node.system().address().getPort().get() + "\"",
          "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"");
      await().atMost(Duration.ofSeconds(30)).until(() ->
          Cluster.get(leaving.system()).selfMember().status() == MemberStatus.up());
      TestPlatform.TestTenant tenant = staying.tenant("rolling");
      String key = staying.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
          .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();

      SocketClient first = SocketClient.widget(staying.node.httpPort(), key, ORIGIN);
      first.send(Map.of("type", "join", "name", "First"));
      first.next("queued");
      SocketClient onLeavingNode = SocketClient.widget(leaving.httpPort(), key, ORIGIN);
      onLeavingNode.send(Map.of("type", "join", "name", "Second"));
      JsonNode queued = onLeavingNode.next("queued");
      assertThat(queued.get("position").asInt()).isEqualTo(2);

      long started = System.nanoTime();
      leaving.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(onLeavingNode.next("reconnect").get("reason").asText()).isEqualTo("node_leaving");
      onLeavingNode.awaitClosed();
      assertThat(took).as("the graceful leave is bounded").isLessThan(Duration.ofSeconds(30));

      try (SocketClient resumed = SocketClient.widget(staying.node.httpPort(), key, ORIGIN)) {
        resumed.send(Map.of("type", "resume", "ticketId", queued.get("ticketId").asText(),
            "resumeToken", queued.get("resumeToken").asText()));
        JsonNode back = resumed.next("queued");
        assertThat(back.get("ticketId").asText()).isEqualTo(queued.get("ticketId").asText());
        assertThat(back.get("position").asInt()).isEqualTo(2);
        first.send(Map.of("type", "leave"));
        resumed.next(message -> message.path("type").asText().equals("position")
            && message.get("position").asInt() == 1, "moving up on the staying node");
      } finally {
        first.close();
      }
    } finally {
      regions.detachAppender(regionLog);
    }
    // Both nodes have stopped, each after its sockets closed. A shard region that cannot hand off
    // gracefully (messages buffered for a coordinator that is gone: a queue feed subscribing again
    // to the queue and wallet being handed off) waits out its phase's 10 s and says so.
    assertThat(List.copyOf(regionLog.list)).extracting(ILoggingEvent::getFormattedMessage)
        .as("the shard regions hand off without waiting out their time-out")
        .noneMatch(line -> line.contains("Graceful shutdown of shard region timed out"));
  }
}
