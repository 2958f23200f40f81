package io.videoshop.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestCalls;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The demo's very first call, as a new user tries it: a fresh node, a new tenant on its trial,
 * one shopper and one agent. Neither side may be told the balance is exhausted while the trial
 * has minutes left — seen through the room sockets, as the people in the call see it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirstCallBalanceTest {
  private static final String ORIGIN = "https://shop.test";

  private TestPlatform platform;
  private int port;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    port = platform.node.httpPort();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  @Test
  void aTrialsFirstCallIsNeverToldItsBalanceIsExhausted() throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant("first-call");
    String key = TestCalls.widgetKey(platform.api, tenant, ORIGIN);
    TestCalls.Assigned call = TestCalls.assign(port, key, ORIGIN, tenant.agentToken(), Map.of("type", "join", "name", "Ada"));
    String agentToken = call.agentRoomToken();
    String shopperToken = call.shopperRoomToken();
    try (SocketClient agent = SocketClient.room(port, agentToken);
        SocketClient shopper = SocketClient.room(port, shopperToken)) {
      agent.next("call-started");
      shopper.next("call-started");
      // The first minute reaches the wallet (the billing projection): by then the room has long
      // had the wallet's admission, so a wrong exhausted signal would have been sent.
      String wallet = "/api/v1/tenants/" + tenant.id() + "/wallet";
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() ->
          platform.api.call("GET", wallet + "/usage").bearer(tenant.ownerToken()).send().json().path("minutes").asLong() >= 1);
      ApiClient.Reply view = platform.api.call("GET", wallet).bearer(tenant.ownerToken()).send();
      assertThat(view.json().get("minutesLeft").asLong()).as("%s", view).isGreaterThan(50);
      // A round trip through the room after that: its mailbox is past the wallet's updates.
      agent.send(Map.of("type", "product", "sku", "TRAIL-38", "title", "Trail runner", "price", "89.00 EUR",
          "productUrl", "https://shop.test/p/38"));
      shopper.next("product");
      assertThat(shopper.seen()).noneMatch(frame -> frame.path("type").asText().equals("low-balance"));
      assertThat(agent.seen()).noneMatch(frame -> frame.path("type").asText().equals("low-balance"));
    }
  }
}
