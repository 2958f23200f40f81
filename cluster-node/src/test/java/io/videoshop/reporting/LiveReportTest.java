package io.videoshop.reporting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestCalls;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET …/reports/live}: this moment's queue and agents, as the admin app's dashboard shows them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveReportTest {
  private static final String ORIGIN = "https://live.shop.test";
  private TestPlatform platform;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  @Test
  void aWaitingShopperAndAnAvailableAgentShowAtOnceAndLeaveWithThem() throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant("live-" + UUID.randomUUID().toString().substring(0, 8));
    ApiClient api = platform.api;
    String path = "/api/v1/tenants/" + tenant.id() + "/reports/live";

    JsonNode empty = api.call("GET", path).bearer(tenant.adminToken()).send().json();
    assertThat(empty.get("waiting").asInt()).isZero();
    assertThat(empty.path("longestWaitMs").isNull() || empty.path("longestWaitMs").isMissingNode()).isTrue();
    assertThat(empty.get("callsInProgress").asInt()).isZero();
    // Owners and admins only: an agent is refused.
    assertThat(api.call("GET", path).bearer(tenant.agentToken()).send().status()).isEqualTo(403);

    String key = TestCalls.widgetKey(api, tenant, ORIGIN);
    try (SocketClient shopper = SocketClient.widget(platform.node.httpPort(), key, ORIGIN);
        SocketClient agent = SocketClient.agent(platform.node.httpPort(), tenant.agentToken())) {
      shopper.send(Map.of("type", "join", "name", "Lea Live", "productInterest", "boots"));
      shopper.next("queued");
      agent.send(Map.of("type", "presence", "presence", "away"));
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        JsonNode live = api.call("GET", path).bearer(tenant.ownerToken()).send().json();
        assertThat(live.get("waiting").asInt()).isEqualTo(1);
        assertThat(live.get("longestWaitMs").asLong()).isNotNegative();
        assertThat(live.at("/agentsByPresence/away").asInt()).isEqualTo(1);
        assertThat(live.at("/agents/0/agentId").asText()).isEqualTo(tenant.agentId());
        assertThat(live.at("/agents/0/presence").asText()).isEqualTo("away");
      });
      shopper.send(Map.of("type", "leave"));
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(api.call("GET", path).bearer(tenant.ownerToken()).send().json().get("waiting").asInt()).isZero());
    }
    // Another tenant's admin sees none of it.
    TestPlatform.TestTenant other = platform.tenant("live-other-" + UUID.randomUUID().toString().substring(0, 8));
    assertThat(api.call("GET", path).bearer(other.adminToken()).send().status()).isIn(403, 404);
  }
}
