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
import java.util.function.Predicate;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17's "nobody stranded" on real sockets and PostgreSQL: a socket that closes with its join
 * in flight, a join sent again with the same token, a shopper who resumes after the accept.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NobodyStrandedTest {
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

  private record Shop(TestPlatform.TestTenant tenant, String widgetKey) {}

  private Shop shop(String slug) {
    TestPlatform.TestTenant tenant = platform.tenant(slug);
    api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/settings").bearer(tenant.ownerToken())
        .body(Map.of("timeZone", "UTC", "currency", "EUR", "businessHours", io.videoshop.tenant.BusinessHours.always(),
            "queue", Map.of("maxLength", 50, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 20,
                "routingStrategy", "longest-idle"), "allowedOrigins", List.of()))
        .send();
    String key = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
    return new Shop(tenant, key);
  }

  private SocketClient shopper(Shop shop) throws Exception {
    SocketClient socket = SocketClient.widget(port, shop.widgetKey(), ORIGIN);
    socket.next("hello");
    return socket;
  }

  private QueueView queue(Shop shop) throws Exception {
    var queue = ClusterSharding.get(platform.node.system()).entityRefFor(TenantQueue.ENTITY_KEY, shop.tenant().id());
    return queue.<QueueView>ask(TenantQueue.GetQueue::new, Duration.ofSeconds(5)).toCompletableFuture().get();
  }

  private void awaitQueue(Shop shop, Predicate<QueueView> condition) {
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.test(queue(shop)));
  }

  private static Map<String, Object> join(String name, String token) {
    return Map.of("type", "join", "name", name, "language", "en", "resumeToken", token);
  }

  @Test
  void aSocketClosedWithItsJoinInFlightLeavesNoConnectedTicketAndTheRetryGetsTheSamePlace() throws Exception {
    Shop shop = shop("stranded-join");
    String token = TenantQueue.newResumeToken();
    SocketClient first = shopper(shop);
    first.send(join("Ada", token));
    first.closeGracefully(); // before `queued`: the join is still being encrypted or asked
    // Whatever the join got to (dropped before it reached the queue, or a ticket the session then
    // marks disconnected for the grace), no connected ticket with nobody behind it ever shows.
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
        .until(() -> queue(shop).tickets().stream().noneMatch(QueueView.WaitingTicket::connected));
    List<String> before = queue(shop).tickets().stream().map(QueueView.WaitingTicket::ticketId).toList();

    try (SocketClient retry = shopper(shop)) {
      retry.send(join("Ada", token));
      JsonNode queued = retry.next(message -> message.path("type").asText().matches("queued|refused|error"), "answer");
      assertThat(queued.get("type").asText()).as("%s", queued).isEqualTo("queued");
      if (!before.isEmpty()) {
        assertThat(queued.get("ticketId").asText()).as("the same place, not a second one").isEqualTo(before.get(0));
      }
      awaitQueue(shop, view -> view.tickets().size() == 1 && view.tickets().get(0).connected()
          && view.tickets().get(0).ticketId().equals(queued.get("ticketId").asText()));
      // The same join once more (the answer was lost): still the one place.
      retry.send(join("Ada", token));
      JsonNode again = retry.next(message -> message.path("type").asText().matches("queued|refused|error"), "answer");
      assertThat(again.get("type").asText()).as("%s", again).isEqualTo("error");
      assertThat(again.get("code").asText()).isEqualTo("already_queued");
    }
    try (SocketClient third = shopper(shop)) {
      third.send(join("Ada", token));
      JsonNode queued = third.next(message -> message.path("type").asText().matches("queued|refused|error"), "answer");
      assertThat(queued.get("type").asText()).as("%s", queued).isEqualTo("queued");
      assertThat(queue(shop).tickets()).as("a retry with the same token never makes a second ticket").hasSize(1);
    } finally {
      first.close();
    }
  }

  @Test
  void aShopperWhoResumesAfterTheAcceptGetsTheSameRoom() throws Exception {
    Shop shop = shop("stranded-resume");
    try (SocketClient ada = shopper(shop); SocketClient alex = SocketClient.agent(port, shop.tenant().agentToken())) {
      ada.send(Map.of("type", "join", "name", "Ada", "language", "en"));
      JsonNode queued = ada.next("queued");
      alex.next("hello");
      alex.send(Map.of("type", "presence", "presence", "available", "languages", List.of("en")));
      JsonNode offer = alex.next("reservation");
      alex.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      JsonNode agentAssigned = alex.next("assigned");
      ada.next("assigned");
      // Ada's page reloads (the `assigned` frame may never have reached it) and resumes.
      try (SocketClient again = shopper(shop)) {
        again.send(Map.of("type", "resume", "ticketId", queued.get("ticketId").asText(),
            "resumeToken", queued.get("resumeToken").asText()));
        JsonNode answer = again.next(message -> message.path("type").asText().matches("assigned|refused|error"),
            "resume answer");
        assertThat(answer.get("type").asText()).as("%s", answer).isEqualTo("assigned");
        assertThat(answer.get("roomId").asText()).isEqualTo(agentAssigned.get("roomId").asText());
        assertThat(answer.get("roomToken").asText()).isNotBlank();
      }
    }
  }
}
