package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
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

/**
 * Revocation takes effect: ending a user's sessions (a role change, deactivation, sign-out
 * everywhere) refuses its old access tokens on every node at once and closes its console and call
 * sockets; console sockets also close when their access token expires; API keys cannot mint admins.
 */
class SessionRevocationTest {
  private static final String ORIGIN = "https://shop.test";

  @Test
  void aDemotedOwnerCannotUseItsOldTokenToPromoteItselfBack() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres())) {
      ApiClient api = platform.api;
      TestPlatform.TestTenant tenant = platform.tenant("demote");
      String operator = platform.operatorToken();
      String users = "/api/v1/tenants/" + tenant.id() + "/users/";
      assertThat(api.call("PATCH", users + tenant.adminId()).bearer(operator).body(Map.of("role", "owner")).send()
          .status()).isEqualTo(200);
      assertThat(api.call("GET", "/api/v1/me").bearer(tenant.ownerToken()).send().status()).isEqualTo(200);

      assertThat(api.call("PATCH", users + tenant.ownerId()).bearer(operator).body(Map.of("role", "agent")).send()
          .status()).isEqualTo(200);
      ApiClient.Reply promoteBack = api.call("PATCH", users + tenant.ownerId()).bearer(tenant.ownerToken())
          .body(Map.of("role", "owner")).send();
      assertThat(promoteBack.status()).as("%s", promoteBack).isEqualTo(401);
      assertThat(promoteBack.code()).isEqualTo("token_revoked");
      ApiClient.Reply me = api.call("GET", "/api/v1/me").bearer(platform.login("owner@demote.test",
          TestPlatform.PASSWORD)).send();
      assertThat(me.json().get("role").asText()).as("signing in again gives the new role").isEqualTo("agent");
    }
  }

  @Test
  void deactivationEndsTheUsersTokensAndSocketsOnEveryNodeWithinSeconds() throws Exception {
    // A long cache: only the cluster-wide message can explain a refusal on the second node.
    String longCache = "videoshop.auth.session-check-ttl = 10m";
    try (TestPlatform first = new TestPlatform(TestDatabase.postgres(), longCache)) {
      int seedPort = first.node.system().address().getPort().get();
      VideoShopNode second = TestNodes.start(first.database, longCache,
          "videoshop.cluster.seed-nodes = \"127.0.0.1:" + seedPort + "\"",
          "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"");
      try {
        await().atMost(Duration.ofSeconds(30)).until(() ->
            Cluster.get(first.node.system()).state().members().size() == 2
                && Cluster.get(second.system()).selfMember().status() == MemberStatus.up());
        TestPlatform.TestTenant tenant = first.tenant("ended");
        ApiClient onSecond = new ApiClient(second.httpPort());
        assertThat(onSecond.call("GET", "/api/v1/me").bearer(tenant.agentToken()).send().status()).isEqualTo(200);
        String key = first.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys")
            .bearer(tenant.adminToken()).body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN)))
            .send().json().get("publicKey").asText();

        try (SocketClient shopper = SocketClient.widget(second.httpPort(), key, ORIGIN);
            SocketClient console = SocketClient.agent(second.httpPort(), tenant.agentToken())) {
          shopper.send(Map.of("type", "join", "name", "Ada"));
          shopper.next("queued");
          console.send(Map.of("type", "presence", "presence", "available"));
          JsonNode offer = console.next("reservation");
          console.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
          String agentRoomToken = console.next("assigned").get("roomToken").asText();
          try (SocketClient room = SocketClient.room(second.httpPort(), agentRoomToken)) {
            room.next("room");

            ApiClient.Reply deactivated = first.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/users/"
                + tenant.agentId() + "/deactivate").bearer(tenant.adminToken()).send();
            assertThat(deactivated.status()).as("%s", deactivated).isEqualTo(200);

            long started = System.nanoTime();
            console.awaitClosed();
            room.awaitClosed();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(console.next("reconnect").path("reason").asText()).isEqualTo("session_ended");
            assertThat(room.next("reconnect").path("reason").asText()).isEqualTo("session_ended");
          }
          ApiClient.Reply refused = onSecond.call("GET", "/api/v1/me").bearer(tenant.agentToken()).send();
          assertThat(refused.code()).as("%s", refused).isEqualTo("token_revoked");
          assertThat(onSecond.call("POST", "/api/v1/auth/socket-ticket").bearer(tenant.agentToken()).send().code())
              .isEqualTo("token_revoked");
          assertThat(SocketClient.refusedStatus("ws://127.0.0.1:" + second.httpPort() + "/ws/room?ticket="
              + SocketClient.roomTicket(second.httpPort(), agentRoomToken), null))
              .as("the agent's pass to the room ended too").isEqualTo(401);
        }
      } finally {
        second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void signingOutEverywhereEndsEveryDevicesTokensAndTheConsoleClosesWhenItsTokenExpires() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(), "videoshop.auth.access-token-ttl = 5s")) {
      ApiClient api = platform.api;
      TestPlatform.TestTenant tenant = platform.tenant("everywhere");
      try (SocketClient console = SocketClient.agent(platform.node.httpPort(), tenant.agentToken())) {
        console.next("hello");
        console.awaitClosed();
        assertThat(console.next("reconnect").path("reason").asText()).isEqualTo("token_expired");
      }

      Map<String, String> credentials = Map.of("email", "admin@everywhere.test", "password", TestPlatform.PASSWORD);
      JsonNode laptop = api.call("POST", "/api/v1/auth/login").body(credentials).send().json();
      JsonNode phone = api.call("POST", "/api/v1/auth/login").body(credentials).send().json();
      assertThat(api.call("POST", "/api/v1/auth/logout-everywhere").bearer(phone.get("accessToken").asText()).send()
          .status()).isEqualTo(204);
      for (JsonNode device : List.of(laptop, phone)) {
        assertThat(api.call("GET", "/api/v1/me").bearer(device.get("accessToken").asText()).send().code())
            .isEqualTo("token_revoked");
        assertThat(api.call("POST", "/api/v1/auth/refresh")
            .body(Map.of("refreshToken", device.get("refreshToken").asText())).send().status()).isEqualTo(401);
      }
      assertThat(api.call("POST", "/api/v1/auth/login").body(credentials).send().status()).isEqualTo(200);
    }
  }

  @Test
  void anApiKeyWithUsersWriteInvitesAgentsButNotAdminsWithoutItsOwnScope() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres())) {
      ApiClient api = platform.api;
      TestPlatform.TestTenant tenant = platform.tenant("keys");
      String keys = "/api/v1/tenants/" + tenant.id() + "/api-keys";
      String invitations = "/api/v1/tenants/" + tenant.id() + "/invitations";
      String writer = api.call("POST", keys).bearer(tenant.adminToken())
          .body(Map.of("name", "hr", "scopes", List.of("users:write"))).send().json().get("key").asText();
      ApiClient.Reply admin = api.call("POST", invitations).apiKey(writer)
          .body(Map.of("email", "boss@keys.test", "role", "admin")).send();
      assertThat(admin.status()).as("%s", admin).isEqualTo(403);
      assertThat(admin.code()).isEqualTo("insufficient_scope");
      assertThat(api.call("POST", invitations).apiKey(writer).body(Map.of("email", "a1@keys.test", "role", "agent"))
          .send().status()).isEqualTo(201);

      ApiClient.Reply created = api.call("POST", keys).bearer(tenant.adminToken())
          .body(Map.of("name", "hr-admins", "scopes", List.of("users:write", "users:admins"))).send();
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      assertThat(api.call("POST", invitations).apiKey(created.json().get("key").asText())
          .body(Map.of("email", "boss@keys.test", "role", "admin")).send().status()).isEqualTo(201);
    }
  }
}
