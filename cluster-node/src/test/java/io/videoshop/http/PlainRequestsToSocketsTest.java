package io.videoshop.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A plain GET (no {@code Upgrade}) to a socket path that passes its checks is answered 4xx and
 * leaves no session actor behind, on every socket kind: anyone can send such requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlainRequestsToSocketsTest {
  private static final String ORIGIN = "https://shop.test";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private TestPlatform platform;
  private TestPlatform.TestTenant tenant;
  private String widgetKey;
  private int port;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    port = platform.node.httpPort();
    tenant = platform.tenant("plain-requests");
    widgetKey = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  /**
   * The session actors of a kind alive now: {@code Sockets} spawns them as {@code /system/<kind>-<uuid>}.
   * Every live one answers {@code Identify} from this same JVM within milliseconds; 300 ms of quiet
   * ends the count.
   */
  private int sessions(String kind) {
    TestProbe<Object> probe = TestProbe.create(Object.class, platform.node.system());
    platform.node.system().classicSystem().actorSelection("/system/" + kind + "-*")
        .tell(new Identify(kind), Adapter.toClassic(probe.ref()));
    int alive = 0;
    while (true) {
      Object reply;
      try {
        reply = probe.receiveMessage(Duration.ofMillis(300));
      } catch (AssertionError quiet) {
        return alive;
      }
      if (reply instanceof ActorIdentity identity && identity.getActorRef().isPresent()) alive++;
    }
  }

  /** The count once sessions of sockets closed just before have ended. */
  private int settled(String kind) throws InterruptedException {
    int count = sessions(kind);
    for (int i = 0; i < 20; i++) {
      Thread.sleep(200);
      int again = sessions(kind);
      if (again == count) return count;
      count = again;
    }
    return count;
  }

  private int plainGet(String pathAndQuery, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(15)).GET();
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void plainGetsToTheWidgetSocketLeaveNoSessionBehind() throws Exception {
    int before = settled("widget");
    for (int i = 0; i < 300; i++) {
      assertThat(plainGet("/ws/widget?key=" + widgetKey, Map.of("Origin", ORIGIN))).as("request %d", i)
          .isBetween(400, 499);
    }
    assertThat(sessions("widget")).isEqualTo(before);
    // A real socket still gets its session, and it ends with the socket.
    try (SocketClient widget = SocketClient.widget(port, widgetKey, ORIGIN)) {
      widget.next("hello");
      assertThat(sessions("widget")).isEqualTo(before + 1);
    }
  }

  @Test
  void plainGetsToTheConsoleAndRoomSocketsLeaveNoSessionBehind() throws Exception {
    String roomToken;
    try (SocketClient widget = SocketClient.widget(port, widgetKey, ORIGIN);
        SocketClient console = SocketClient.agent(port, tenant.agentToken())) {
      widget.send(Map.of("type", "join", "name", "Ada"));
      widget.next("queued");
      console.send(Map.of("type", "presence", "presence", "available"));
      JsonNode offer = console.next("reservation");
      console.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      roomToken = console.next("assigned").get("roomToken").asText();
      console.send(Map.of("type", "presence", "presence", "away"));
      console.next(message -> "presence".equals(message.path("request").asText()), "presence ok");
    }
    int agents = settled("agent");
    int rooms = settled("room");
    int lives = settled("live");
    for (int i = 0; i < 20; i++) {
      assertThat(plainGet("/ws/live?ticket=" + SocketClient.agentTicket(port, tenant.ownerToken()), Map.of()))
          .as("live figures request %d", i).isBetween(400, 499);
      assertThat(plainGet("/ws/agent?ticket=" + SocketClient.agentTicket(port, tenant.agentToken()), Map.of()))
          .as("console request %d", i).isBetween(400, 499);
      assertThat(plainGet("/ws/agent", Map.of("Authorization", "Bearer " + tenant.agentToken())))
          .as("console request %d with a bearer token", i).isBetween(400, 499);
      assertThat(plainGet("/ws/room?ticket=" + SocketClient.roomTicket(port, roomToken), Map.of()))
          .as("room request %d", i).isBetween(400, 499);
    }
    assertThat(sessions("agent")).isEqualTo(agents);
    assertThat(sessions("room")).isEqualTo(rooms);
    assertThat(sessions("live")).isEqualTo(lives);
  }
}
