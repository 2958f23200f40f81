package io.videoshop.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The steps many tests take to get a call going: a widget key for an origin, then a shopper who
 * joins over the widget socket and an agent who goes available and accepts over the console socket.
 */
public final class TestCalls {
  private TestCalls() {}

  /** What both sides got with {@code assigned}. */
  public record Assigned(String roomId, String agentRoomToken, String shopperRoomToken) {}

  /** A new widget key of the tenant, allowed on this origin; its public key. */
  public static String widgetKey(ApiClient api, TestPlatform.TestTenant tenant, String origin) {
    return api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(origin))).send().json().get("publicKey").asText();
  }

  /** A shopper joins with {@code join} (a widget join frame), the tenant's agent accepts; both sockets close after. */
  public static Assigned assign(int port, String widgetKey, String origin, String agentAccessToken,
      Map<String, Object> join) throws Exception {
    try (SocketClient widget = SocketClient.widget(port, widgetKey, origin);
        SocketClient console = SocketClient.agent(port, agentAccessToken)) {
      widget.send(join);
      widget.next("queued");
      console.send(Map.of("type", "presence", "presence", "available"));
      JsonNode offer = console.next("reservation");
      console.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      JsonNode assigned = console.next("assigned");
      return new Assigned(assigned.get("roomId").asText(), assigned.get("roomToken").asText(),
          widget.next("assigned").get("roomToken").asText());
    }
  }
}
