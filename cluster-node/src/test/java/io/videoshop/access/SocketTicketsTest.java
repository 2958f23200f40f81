package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tokens stay out of socket URLs (and so out of proxies' access logs): a socket URL with an access
 * or room token is refused; a one-time ticket, got over HTTP with the token in a header or a body,
 * opens one socket of its kind, once, for a few seconds.
 */
class SocketTicketsTest {
  private static final String ORIGIN = "https://shop.test";

  @Test
  void tokensInSocketUrlsAreRefusedAndTicketsOpenOneSocketOnce() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(), "videoshop.auth.socket-ticket-ttl = 2s")) {
      int port = platform.node.httpPort();
      String ws = "ws://127.0.0.1:" + port;
      TestPlatform.TestTenant tenant = platform.tenant("tickets");
      assertThat(SocketClient.refusedStatus(ws + "/ws/agent?access_token=" + tenant.agentToken(), null))
          .as("an access token in the URL").isEqualTo(401);

      String ticket = SocketClient.agentTicket(port, tenant.agentToken());
      assertThat(ticket).startsWith("wst_");
      assertThat(SocketClient.refusedStatus(ws + "/ws/room?ticket=" + ticket, null))
          .as("a console ticket does not open a room, and is used up trying").isEqualTo(401);
      String console = SocketClient.agentTicket(port, tenant.agentToken());
      assertThat(SocketClient.refusedStatus(ws + "/ws/agent?ticket=" + console, null)).isEqualTo(101);
      assertThat(SocketClient.refusedStatus(ws + "/ws/agent?ticket=" + console, null)).as("used once").isEqualTo(401);
      String late = SocketClient.agentTicket(port, tenant.agentToken());
      await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).until(() -> true);
      assertThat(SocketClient.refusedStatus(ws + "/ws/agent?ticket=" + late, null)).as("expired").isEqualTo(401);

      String key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys")
          .bearer(tenant.adminToken()).body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send()
          .json().get("publicKey").asText();
      try (SocketClient shopper = SocketClient.widget(port, key, ORIGIN);
          SocketClient agent = SocketClient.agent(port, tenant.agentToken())) {
        shopper.send(Map.of("type", "join", "name", "Ada"));
        shopper.next("queued");
        agent.send(Map.of("type", "presence", "presence", "available"));
        JsonNode offer = agent.next("reservation");
        agent.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
        String roomToken = shopper.next("assigned").get("roomToken").asText();
        assertThat(SocketClient.refusedStatus(ws + "/ws/room?token=" + roomToken, null))
            .as("a room token in the URL").isEqualTo(401);
        // The widget asks from the shop's own origin: the room ticket route answers CORS.
        io.videoshop.node.ApiClient.Reply preflight = platform.api.call("OPTIONS", "/api/v1/rooms/socket-ticket")
            .header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST").send();
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(platform.api.call("POST", "/api/v1/rooms/socket-ticket").header("Origin", ORIGIN)
            .body(Map.of("roomToken", roomToken)).send().headers().firstValue("Access-Control-Allow-Origin"))
            .hasValue("*");
        try (SocketClient room = SocketClient.room(port, roomToken)) {
          assertThat(room.next("room").get("role").asText()).isEqualTo("shopper");
        }
      }
      var urls = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT count(*) FROM socket_tickets").mapTo(Long.class).one());
      assertThat(urls).as("used tickets are gone").isLessThanOrEqualTo(2);
    }
  }
}
