package io.videoshop.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.LogEvents;
import io.videoshop.node.TestCalls;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.queue.QueueView;
import io.videoshop.queue.TenantQueue;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The abuse suite's socket half: on every socket kind (widget, agent console, room) malformed,
 * versionless, oversized and binary frames each get an {@code error} frame with its code, a
 * flood gets {@code rate_limited} then a clean close, and the entity behind the socket (the
 * tenant's queue, the call room) is unchanged. The line a flooded session logs carries the
 * request id its upgrade returned.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SocketAbuseTest {
  private static final String ORIGIN = "https://shop.test";
  /** Each bad frame ({@code %T}: a type of the socket's protocol) and the error code it must get. */
  private static final Map<String, String> BAD_FRAMES = new LinkedHashMap<>();

  static {
    BAD_FRAMES.put("{\"v\":1,\"type\":", "invalid_json");
    BAD_FRAMES.put("null", "invalid_json");
    BAD_FRAMES.put("[1,2]", "invalid_json");
    BAD_FRAMES.put("{\"type\":\"%T\"}", "missing_version");
    BAD_FRAMES.put("{\"v\":\"1\",\"type\":\"%T\"}", "unsupported_version");
    BAD_FRAMES.put("{\"v\":1}", "missing_type");
    BAD_FRAMES.put("{\"v\":1,\"type\":\"dance\"}", "unknown_type");
    BAD_FRAMES.put("{\"v\":1,\"type\":\"%T\",\"zz\":1}", "invalid_field");
    BAD_FRAMES.put("{\"v\":1,\"type\":\"%T\",\"name\":\"" + "x".repeat(20_000) + "\"}", "frame_too_large");
  }

  private TestPlatform platform;
  private TestPlatform.TestTenant tenant;
  private String widgetKey;
  private int port;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    port = platform.node.httpPort();
    tenant = platform.tenant("socket-abuse");
    widgetKey = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  private QueueView queue() throws Exception {
    var ref = ClusterSharding.get(platform.node.system()).entityRefFor(TenantQueue.ENTITY_KEY, tenant.id());
    return ref.<QueueView>ask(TenantQueue.GetQueue::new, Duration.ofSeconds(10)).toCompletableFuture().get();
  }

  /** Every bad frame, then a binary one, then a flood: the codes expected, then a clean close. */
  private static void abuse(SocketClient socket, String aType) throws Exception {
    for (Map.Entry<String, String> bad : BAD_FRAMES.entrySet()) {
      socket.send(bad.getKey().replace("%T", aType));
      JsonNode error = socket.next("error");
      assertThat(error.get("code").asText()).as("answer to %.60s", bad.getKey()).isEqualTo(bad.getValue());
    }
    socket.sendBinary(new byte[] {1, 2, 3});
    assertThat(socket.next("error").get("code").asText()).isEqualTo("binary_not_supported");
    assertThat(socket.isClosed()).isFalse();
    for (int i = 0; i < 300 && !socket.isClosed(); i++) {
      try {
        socket.send("{\"v\":1,\"type\":\"dance\"}");
      } catch (Exception closedMeanwhile) {
        break;
      }
    }
    assertThat(socket.next(message -> "rate_limited".equals(message.path("code").asText()), "rate_limited")).isNotNull();
    assertThat(socket.next("reconnect").get("reason").asText()).isEqualTo("flooding");
    socket.awaitClosed();
  }

  @Test
  void theWidgetAndTheConsoleAnswerEveryBadFrameAndTheQueueIsUnchanged() throws Exception {
    QueueView before = queue();
    try (SocketClient widget = SocketClient.widget(port, widgetKey, ORIGIN)) {
      widget.next("hello");
      abuse(widget, "leave");
    }
    try (SocketClient console = SocketClient.agent(port, tenant.agentToken())) {
      console.next("hello");
      abuse(console, "presence");
    }
    QueueView after = queue();
    assertThat(after.tickets()).isEqualTo(before.tickets()).isEmpty();
    assertThat(after.agents()).isEqualTo(before.agents());
  }

  @Test
  void theRoomAnswersEveryBadFrameAndTheCallIsUnchanged() throws Exception {
    String agentToken;
    String roomId;
    try (SocketClient widget = SocketClient.widget(port, widgetKey, ORIGIN);
        SocketClient console = SocketClient.agent(port, tenant.agentToken())) {
      widget.send(Map.of("type", "join", "name", "Ada"));
      widget.next("queued");
      console.send(Map.of("type", "presence", "presence", "available"));
      JsonNode offer = console.next("reservation");
      console.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      JsonNode assigned = console.next("assigned");
      agentToken = assigned.get("roomToken").asText();
      roomId = assigned.get("roomId").asText();
      console.send(Map.of("type", "presence", "presence", "away"));
      console.next(message -> "presence".equals(message.path("request").asText()), "presence ok");
    }
    String call = "/api/v1/tenants/" + tenant.id() + "/calls/" + roomId;
    try (SocketClient agent = SocketClient.room(port, agentToken)) {
      agent.next("room");
      ApiClient.Reply before = platform.api.call("GET", call).bearer(tenant.adminToken()).send();
      assertThat(before.status()).as("%s", before).isEqualTo(200);
      abuse(agent, "hang-up");
      // The room saw the agent leave (the socket closed) and nothing else.
      JsonNode after = platform.api.call("GET", call).bearer(tenant.adminToken()).send().json();
      assertThat(after.get("status")).isEqualTo(before.json().get("status"));
      assertThat(after.get("products")).isEqualTo(before.json().get("products"));
    }
  }

  /**
   * Opens a socket with Pekko HTTP's client (the JDK's does not show the upgrade's response),
   * floods it until the node closes it, and returns the {@code X-Request-Id} the upgrade answered.
   */
  private String requestIdOfAFloodedSocket(String uri, String origin) throws Exception {
    var system = platform.node.system();
    WebSocketRequest request = WebSocketRequest.create(uri);
    if (origin != null) request = request.addHeader(RawHeader.create("Origin", origin));
    Flow<Message, Message, CompletionStage<Done>> client = Flow.fromSinkAndSourceMat(Sink.ignore(),
        Source.repeat((Message) TextMessage.create("{\"v\":1,\"type\":\"dance\"}")).take(300)
            .concat(Source.maybe()), Keep.left());
    Pair<CompletionStage<WebSocketUpgradeResponse>, CompletionStage<Done>> opened =
        Http.get(system).singleWebSocketRequest(request, client, Materializer.matFromSystem(system));
    WebSocketUpgradeResponse upgrade = opened.first().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(upgrade.response().status().intValue()).isEqualTo(101);
    String id = upgrade.response().getHeader(RequestIds.HEADER).orElseThrow().value();
    opened.second().toCompletableFuture().get(20, TimeUnit.SECONDS); // closed by the node for flooding
    return id;
  }

  /** The request ids (MDC) of the flooding lines logged by sessions of this protocol. */
  private static List<String> floodingLines(LogEvents lines, String protocol) {
    return lines.events().stream()
        .filter(e -> e.getFormattedMessage().startsWith("Closing a socket (" + protocol + ")"))
        .map(e -> e.getMDCPropertyMap().getOrDefault(RequestIds.MDC_KEY, "none")).toList();
  }

  @Test
  void theQueuesLineForAShoppersJoinCarriesTheRequestIdOfTheShoppersSocket() throws Exception {
    TestPlatform.TestTenant other = platform.tenant("entity-mdc");
    String key = TestCalls.widgetKey(platform.api, other, ORIGIN);
    var system = platform.node.system();
    java.util.concurrent.BlockingQueue<String> heard = new java.util.concurrent.LinkedBlockingQueue<>();
    Flow<Message, Message, java.util.concurrent.CompletableFuture<java.util.Optional<Message>>> client =
        Flow.fromSinkAndSourceMat(Sink.<Message>foreach(message -> heard.add(message.asTextMessage().getStrictText())),
            Source.single((Message) TextMessage.create("{\"v\":1,\"type\":\"join\",\"name\":\"Ada\"}"))
                .concatMat(Source.<Message>maybe(), Keep.right()), Keep.right());
    try (LogEvents lines = new LogEvents()) {
      var opened = Http.get(system).singleWebSocketRequest(WebSocketRequest.create("ws://127.0.0.1:" + port
              + "/ws/widget?key=" + key).addHeader(RawHeader.create("Origin", ORIGIN)), client,
          Materializer.matFromSystem(system));
      try {
        WebSocketUpgradeResponse upgrade = opened.first().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String id = upgrade.response().getHeader(RequestIds.HEADER).orElseThrow().value();
        String ticketId = null;
        while (ticketId == null) {
          JsonNode message = Json.MAPPER.readTree(java.util.Objects.requireNonNull(heard.poll(10, TimeUnit.SECONDS),
              "no queued frame"));
          if (message.path("type").asText().equals("queued")) ticketId = message.get("ticketId").asText();
        }
        // The queue entity logs the join, on whatever node it runs, with the id of the shopper's socket.
        String joined = "Ticket " + ticketId + " joins the queue";
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.events().stream()
            .anyMatch(e -> e.getLoggerName().equals(TenantQueue.class.getName())
                && e.getFormattedMessage().startsWith(joined)));
        assertThat(lines.events().stream().filter(e -> e.getFormattedMessage().startsWith(joined))
            .map(e -> e.getMDCPropertyMap().get(RequestIds.MDC_KEY))).containsExactly(id);
      } finally {
        opened.second().complete(java.util.Optional.empty());
      }
    }
  }

  @Test
  void aSocketSessionsLogLineCarriesTheRequestIdItsUpgradeReturned() throws Exception {
    TestPlatform.TestTenant other = platform.tenant("socket-mdc");
    String key = TestCalls.widgetKey(platform.api, other, ORIGIN);
    try (LogEvents lines = new LogEvents()) {
      String widgetId = requestIdOfAFloodedSocket("ws://127.0.0.1:" + port + "/ws/widget?key=" + key, ORIGIN);
      await().atMost(Duration.ofSeconds(10)).until(() -> floodingLines(lines, "WidgetRequest").contains(widgetId));

      TestCalls.Assigned call = TestCalls.assign(port, key, ORIGIN, other.agentToken(), Map.of("type", "join", "name", "Ada"));
      String roomId = requestIdOfAFloodedSocket("ws://127.0.0.1:" + port + "/ws/room?ticket="
          + SocketClient.roomTicket(port, call.shopperRoomToken()), null);
      await().atMost(Duration.ofSeconds(10)).until(() -> floodingLines(lines, "RoomRequest").contains(roomId));
    }
  }
}
