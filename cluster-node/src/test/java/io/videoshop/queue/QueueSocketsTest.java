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
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The widget and agent-console sockets over real WebSocket clients, on PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueueSocketsTest {
  private static final String ORIGIN = "https://shop.test";

  private TestPlatform platform;
  private ApiClient api;
  private int port;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    api = platform.api;
    port = platform.node.httpPort();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  /** A tenant whose reservation timeout is the shortest allowed (5 s) and its widget key. */
  private record Shop(TestPlatform.TestTenant tenant, String widgetKey) {}

  private Shop shop(String slug, int maxLength) {
    TestPlatform.TestTenant tenant = platform.tenant(slug);
    ApiClient.Reply settings = api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/settings").bearer(tenant.ownerToken())
        .body(Map.of("timeZone", "UTC", "currency", "EUR",
            "businessHours", Map.of("weekly", Map.of(), "exceptions", List.of()),
            "queue", Map.of("maxLength", maxLength, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 5,
                "routingStrategy", "longest-idle"),
            "allowedOrigins", List.of()))
        .send();
    assertThat(settings.status()).isEqualTo(200);
    // Open all day, every day: set after the closed hours above so that opening is pushed too.
    var hours = io.videoshop.tenant.BusinessHours.always();
    api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/settings").bearer(tenant.ownerToken())
        .body(Map.of("timeZone", "UTC", "currency", "EUR", "businessHours", hours,
            "queue", Map.of("maxLength", maxLength, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 5,
                "routingStrategy", "longest-idle"), "allowedOrigins", List.of()))
        .send();
    String key = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
    return new Shop(tenant, key);
  }

  private SocketClient shopper(Shop shop) throws Exception {
    SocketClient socket = SocketClient.widget(port, shop.widgetKey(), ORIGIN);
    assertThat(socket.next("hello").get("role").asText()).isEqualTo("shopper");
    return socket;
  }

  private static JsonNode join(SocketClient socket, String name) {
    socket.send(Map.of("type", "join", "name", name, "email", name.toLowerCase() + "@example.com",
        "productInterest", "trail shoes", "language", "en"));
    return socket.next(message -> message.path("type").asText().matches("queued|refused|error"), "join answer");
  }

  private void awaitQueue(Shop shop, java.util.function.Predicate<QueueView> condition) {
    var queue = ClusterSharding.get(platform.node.system()).entityRefFor(TenantQueue.ENTITY_KEY, shop.tenant().id());
    await().atMost(Duration.ofSeconds(15)).until(() -> condition.test(
        queue.<QueueView>ask(TenantQueue.GetQueue::new, Duration.ofSeconds(5)).toCompletableFuture().get()));
  }

  @Test
  void widgetConnectionsNeedAValidKeyAndAnAllowedOrigin() throws Exception {
    Shop shop = shop("sockets-keys", 50);
    String url = "ws://127.0.0.1:" + port + "/ws/widget?key=";
    assertThat(SocketClient.refusedStatus(url + shop.widgetKey(), "https://evil.test")).isEqualTo(403);
    assertThat(SocketClient.refusedStatus(url + shop.widgetKey(), null)).isEqualTo(403);
    assertThat(SocketClient.refusedStatus(url + "vsw_forged", ORIGIN)).isEqualTo(403);
    assertThat(SocketClient.refusedStatus("ws://127.0.0.1:" + port + "/ws/widget", ORIGIN)).isEqualTo(403);
    assertThat(SocketClient.refusedStatus(url + shop.widgetKey(), ORIGIN)).isEqualTo(101);

    assertThat(SocketClient.refusedStatus("ws://127.0.0.1:" + port + "/ws/agent", null)).isEqualTo(401);
    assertThat(SocketClient.refusedStatus("ws://127.0.0.1:" + port + "/ws/agent?ticket=wst_forged", null))
        .isEqualTo(401);
    assertThat(platform.api.call("POST", "/api/v1/auth/socket-ticket").bearer(platform.operatorToken()).send()
        .code()).isEqualTo("not_an_agent");
  }

  @Test
  void shoppersQueueAnAgentLetsAnOfferExpireAnotherAcceptsAndTheShopperIsAssigned() throws Exception {
    Shop shop = shop("sockets-flow", 50);
    try (SocketClient ada = shopper(shop); SocketClient bob = shopper(shop); SocketClient cyd = shopper(shop);
        SocketClient alex = SocketClient.agent(port, shop.tenant().agentToken());
        SocketClient olivia = SocketClient.agent(port, shop.tenant().adminToken())) {
      JsonNode adaQueued = join(ada, "Ada");
      assertThat(adaQueued.get("type").asText()).as("%s", adaQueued).isEqualTo("queued");
      assertThat(adaQueued.get("position").asInt()).isEqualTo(1);
      assertThat(adaQueued.get("resumeToken").asText()).isNotBlank();
      assertThat(adaQueued.get("v").asInt()).isEqualTo(1);
      assertThat(join(bob, "Bob").get("position").asInt()).isEqualTo(2);
      assertThat(join(cyd, "Cyd").get("position").asInt()).isEqualTo(3);

      assertThat(alex.next("hello").get("role").asText()).isEqualTo("agent");
      JsonNode named = alex.next(message -> message.path("type").asText().equals("queue")
          && message.get("tickets").size() == 3 && message.at("/tickets/0/name").asText().equals("Ada"), "names");
      assertThat(named.at("/tickets/0/productInterest").asText()).isEqualTo("trail shoes");
      assertThat(named.toString()).as("agents see names, not emails").doesNotContain("ada@example.com");

      alex.send(Map.of("type", "presence", "presence", "available", "languages", List.of("en")));
      assertThat(alex.next("ok").get("request").asText()).isEqualTo("presence");
      JsonNode firstOffer = alex.next("reservation");
      assertThat(firstOffer.at("/ticket/ticketId").asText()).isEqualTo(adaQueued.get("ticketId").asText());
      assertThat(firstOffer.at("/ticket/name").asText()).isEqualTo("Ada");

      // Alex lets it expire (5 s): Ada keeps the head, Alex turns away, nobody else is free.
      JsonNode ended = alex.next("reservation-ended");
      assertThat(ended.get("reason").asText()).isEqualTo("expired");
      awaitQueue(shop, view -> view.agents().get(0).presence() == Presence.AWAY
          && view.tickets().get(0).ticketId().equals(adaQueued.get("ticketId").asText()));

      olivia.send(Map.of("type", "presence", "presence", "available", "languages", List.of("en", "de")));
      JsonNode offer = olivia.next("reservation");
      assertThat(offer.at("/ticket/ticketId").asText()).isEqualTo(adaQueued.get("ticketId").asText());
      olivia.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      JsonNode agentAssigned = olivia.next("assigned");
      JsonNode shopperAssigned = ada.next("assigned");
      assertThat(shopperAssigned.get("roomId").asText()).isEqualTo(agentAssigned.get("roomId").asText()).isNotBlank();

      bob.next(message -> message.path("type").asText().equals("position") && message.get("position").asInt() == 1,
          "Bob at the head");
      cyd.next(message -> message.path("type").asText().equals("position") && message.get("position").asInt() == 2,
          "Cyd second");
      cyd.send(Map.of("type", "leave"));
      assertThat(cyd.next("left").get("reason").asText()).isEqualTo("left");
      awaitQueue(shop, view -> view.tickets().size() == 1);

      olivia.send(Map.of("type", "finish-call"));
      olivia.next(message -> message.path("request").asText().equals("finish-call"), "finish-call done");
      // Olivia is available again: Bob is offered to her.
      assertThat(olivia.next("reservation").at("/ticket/name").asText()).isEqualTo("Bob");
    }
  }

  @Test
  void badMessagesGetErrorsAndTheSocketStaysOpen() throws Exception {
    Shop shop = shop("sockets-bad", 50);
    try (SocketClient socket = shopper(shop)) {
      assertThat(platform.metrics()).as("open sockets are counted")
          .containsPattern("videoshop_websocket_connections\\{kind=\"widget\",node=\"[^\"]+\"} [1-9]");
      socket.send("not json");
      assertThat(socket.next("error").get("code").asText()).isEqualTo("invalid_json");
      socket.send(Map.of("type", "dance"));
      assertThat(socket.next("error").get("code").asText()).isEqualTo("unknown_type");
      socket.send(Map.of("name", "No type"));
      assertThat(socket.next("error").get("code").asText()).isEqualTo("missing_type");
      socket.send(Map.of("type", "join", "name", "x", "email", "not-an-email"));
      JsonNode invalid = socket.next("error");
      assertThat(invalid.get("code").asText()).isEqualTo("invalid_field");
      assertThat(invalid.get("field").asText()).isEqualTo("email");
      socket.send(Map.of("type", "join"));
      assertThat(socket.next("error").get("field").asText()).isEqualTo("name");
      socket.send(Map.of("type", "join", "name", "x".repeat(20_000)));
      assertThat(socket.next("error").get("code").asText()).isEqualTo("frame_too_large");
      socket.send(Map.of("type", "leave"));
      assertThat(socket.next("error").get("code").asText()).isEqualTo("not_in_queue");
      awaitQueue(shop, view -> view.tickets().isEmpty());

      JsonNode stillHere = join(socket, "Still");
      assertThat(stillHere.get("type").asText()).as("%s", stillHere).isEqualTo("queued");
      assertThat(socket.isClosed()).isFalse();
    }
  }

  @Test
  void aFloodingClientIsRateLimitedThenDisconnected() throws Exception {
    Shop shop = shop("sockets-flood", 50);
    try (SocketClient socket = shopper(shop)) {
      for (int i = 0; i < 200; i++) socket.send("{\"v\":1,\"type\":\"leave\"}");
      assertThat(socket.next(message -> message.path("code").asText().equals("rate_limited"), "rate limit"))
          .isNotNull();
      JsonNode reconnect = socket.next("reconnect");
      assertThat(reconnect.get("reason").asText()).isEqualTo("flooding");
      socket.awaitClosed();
    }
  }

  @Test
  void aDroppedShopperResumesWithTheTokenAndKeepsThePlace() throws Exception {
    Shop shop = shop("sockets-resume", 50);
    try (SocketClient first = shopper(shop); SocketClient second = shopper(shop)) {
      join(first, "First");
      JsonNode queued = join(second, "Second");
      second.close();
      awaitQueue(shop, view -> !view.tickets().get(1).connected());
      try (SocketClient thief = shopper(shop); SocketClient back = shopper(shop)) {
        thief.send(Map.of("type", "resume", "ticketId", queued.get("ticketId").asText(), "resumeToken", "wrong"));
        assertThat(thief.next("refused").get("code").asText()).isEqualTo("invalid_resume_token");
        back.send(Map.of("type", "resume", "ticketId", queued.get("ticketId").asText(),
            "resumeToken", queued.get("resumeToken").asText()));
        JsonNode resumed = back.next("queued");
        assertThat(resumed.get("ticketId").asText()).isEqualTo(queued.get("ticketId").asText());
        assertThat(resumed.get("position").asInt()).isEqualTo(2);
        first.send(Map.of("type", "leave"));
        back.next(message -> message.path("type").asText().equals("position") && message.get("position").asInt() == 1,
            "the head after First left");
      }
    }
  }

  @Test
  void joinsAreRefusedWhenFullClosedOrSuspended() throws Exception {
    Shop shop = shop("sockets-limits", 1);
    try (SocketClient first = shopper(shop); SocketClient second = shopper(shop)) {
      awaitQueue(shop, view -> view.settings().maxLength() == 1);
      assertThat(join(first, "First").get("type").asText()).isEqualTo("queued");
      JsonNode full = join(second, "Second");
      assertThat(full.get("code").asText()).isEqualTo("queue_full");
      first.send(Map.of("type", "leave"));
      first.next("left");

      api.call("PUT", "/api/v1/tenants/" + shop.tenant().id() + "/settings").bearer(shop.tenant().ownerToken())
          .body(Map.of("timeZone", "UTC", "currency", "EUR",
              "businessHours", Map.of("weekly", Map.of("monday", List.of(Map.of("from", "09:00", "to", "10:00"))),
                  "exceptions", List.of(Map.of("date", java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString(),
                      "windows", List.of()))),
              "queue", Map.of("maxLength", 1, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 5,
                  "routingStrategy", "longest-idle"), "allowedOrigins", List.of()))
          .send();
      awaitQueue(shop, view -> !view.open());
      JsonNode closed = join(second, "Second");
      assertThat(closed.get("code").asText()).isEqualTo("queue_closed");
      assertThat(closed.get("nextOpeningAt").asText()).endsWith("T09:00:00Z");

      api.call("POST", "/api/v1/tenants/" + shop.tenant().id() + "/suspend").bearer(platform.operatorToken()).send();
      awaitQueue(shop, QueueView::suspended);
      assertThat(join(second, "Second").get("code").asText()).isEqualTo("tenant_suspended");
      assertThat(SocketClient.refusedStatus("ws://127.0.0.1:" + port + "/ws/widget?key=" + shop.widgetKey(), ORIGIN))
          .isEqualTo(403);
    }
  }
}
