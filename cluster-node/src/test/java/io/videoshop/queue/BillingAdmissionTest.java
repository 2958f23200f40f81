package io.videoshop.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The queue learns from the tenant's wallet (by subscription) whether shoppers may join: a paid
 * plan without balance refuses joins with insufficient_funds until a top-up arrives.
 */
class BillingAdmissionTest {
  private static final String ORIGIN = "https://shop.test";

  @Test
  void joinsAreRefusedWithoutFundsAndAdmittedAgainAfterATopUp() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres())) {
      ApiClient api = platform.api;
      TestPlatform.TestTenant tenant = platform.tenant("billed");
      String key = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
          .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
      String operator = platform.operatorToken();
      String wallet = "/api/v1/tenants/" + tenant.id() + "/wallet";
      try (SocketClient first = SocketClient.widget(platform.node.httpPort(), key, ORIGIN)) {
        // The feed opens the wallet on its trial: shoppers are admitted.
        first.send(Map.of("type", "join", "name", "Trial"));
        assertThat(first.next("queued").get("position").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.call("GET", wallet).bearer(operator).send().status() == 200);

        ApiClient.Reply changed = api.call("PUT", wallet + "/plan").bearer(operator)
            .body(Map.of("kind", "pay-as-you-go", "minuteRate", 30)).send();
        assertThat(changed.status()).as("%s", changed).isEqualTo(200);
        awaitJoin(platform, key, "insufficient_funds");

        ApiClient.Reply topUp = api.call("POST", wallet + "/top-ups").bearer(operator)
            .header("Idempotency-Key", "top-up-1").body(Map.of("amount", 5000)).send();
        assertThat(topUp.status()).as("%s", topUp).isIn(200, 201);
        JsonNode queued = awaitJoin(platform, key, "queued");
        assertThat(queued.get("position").asInt()).isEqualTo(2);
      }
    }
  }

  @Test
  void invitingPastThePlansAgentSeatsIsRefused() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.h2InMemory())) {
      ApiClient api = platform.api;
      TestPlatform.TestTenant tenant = platform.tenant("seats"); // an owner, an admin, an agent: 3 people
      String operator = platform.operatorToken();
      String invitations = "/api/v1/tenants/" + tenant.id() + "/invitations";
      ApiClient.Reply whileOnTrial = api.call("POST", invitations).bearer(tenant.ownerToken())
          .body(Map.of("email", "fourth@seats.test", "role", "agent")).send();
      assertThat(whileOnTrial.status()).as("a wallet not open yet limits nothing").isEqualTo(201);
      api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/wallet/plan").bearer(operator)
          .body(Map.of("kind", "subscription", "monthlyFee", 4900, "includedMinutes", 300, "minuteRate", 25,
              "agentSeats", 4, "concurrentCalls", 2)).send();
      await().atMost(Duration.ofSeconds(10)).until(() -> api.call("GET", "/api/v1/tenants/" + tenant.id() + "/wallet")
          .bearer(operator).send().json().at("/admission/agentSeatLimit").asInt() == 4);

      ApiClient.Reply fifth = api.call("POST", invitations).bearer(tenant.ownerToken())
          .body(Map.of("email", "fifth@seats.test", "role", "agent")).send();
      assertThat(fifth.status()).as("3 people and 1 pending invitation fill 4 seats").isEqualTo(409);
      assertThat(fifth.code()).isEqualTo("seat_limit_reached");
      ApiClient.Reply accepted = api.call("POST", "/api/v1/invitations/accept").body(Map.of("token",
          platform.mailedToken("fourth@seats.test", "inv_"), "displayName", "Fourth", "password", TestPlatform.PASSWORD))
          .send();
      assertThat(accepted.status()).as("the pending invitation had its seat").isEqualTo(201);
      api.call("POST", "/api/v1/tenants/" + tenant.id() + "/users/" + tenant.agentId() + "/deactivate")
          .bearer(tenant.ownerToken()).send();
      assertThat(api.call("POST", invitations).bearer(tenant.ownerToken())
          .body(Map.of("email", "fifth@seats.test", "role", "agent")).send().status())
          .as("a deactivated person frees their seat").isEqualTo(201);
    }
  }

  /** Joins from fresh sockets until the answer is the expected one (the push takes a moment). */
  private static JsonNode awaitJoin(TestPlatform platform, String key, String expected) {
    JsonNode[] answer = new JsonNode[1];
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
      try (SocketClient socket = SocketClient.widget(platform.node.httpPort(), key, ORIGIN)) {
        socket.send(Map.of("type", "join", "name", "Probe"));
        answer[0] = socket.next(m -> m.path("type").asText().matches("queued|refused|error"), "join answer");
        String got = answer[0].get("type").asText().equals("refused") ? answer[0].get("code").asText()
            : answer[0].get("type").asText();
        if (got.equals("queued") && !expected.equals("queued")) {
          socket.send(Map.of("type", "leave"));
          socket.next("left");
        }
        return got.equals(expected);
      }
    });
    return answer[0];
  }
}
