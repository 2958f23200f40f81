package io.videoshop.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.node.TestCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.videoshop.http.ClusterShare;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Sockets on two nodes of one cluster for the same tenant: a tenant's cap on widget connections
 * holds with its sockets split over both nodes, and so do an address's budgets of widget joins,
 * of public booking requests and of public consent withdrawals; the queue entity lives on one of them, so at least one socket
 * talks to it across nodes. Then the whole cluster restarts on the same database and a shopper
 * resumes their place (last: it stops both nodes).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueueAcrossNodesTest {
  private static final String ORIGIN = "https://shop.test";
  /** Two per node are within any per-node count: only the cluster's total can refuse the fifth. */
  private static final String CAPS = "videoshop.widget { max-connections-per-tenant = 4, "
      + "joins-per-address-per-minute = 3 }\n"
      + "videoshop.scheduling.public-limits { per-ip-burst = 3, per-ip-per-minute = 1 }\n"
      + "videoshop.privacy.consent-withdrawal { per-ip-burst = 3, per-ip-per-minute = 1 }\n"
      // Each budget test comes from its own address (X-Forwarded-For), the others from 127.0.0.1.
      + "videoshop.http.trusted-proxies = \"127.0.0.1/32\"";
  private TestPlatform first;
  private VideoShopNode second;

  @BeforeAll
  void start() {
    first = new TestPlatform(TestDatabase.postgres(), CAPS);
    int seedPort = first.node.system().address().getPort().get();
    second = TestNodes.start(first.database, CAPS,
        "videoshop.cluster.seed-nodes = \"127.0.0.1:" + seedPort + "\"",
        "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"");
    await().atMost(Duration.ofSeconds(30)).until(() ->
        Cluster.get(first.node.system()).state().members().size() == 2
            && Cluster.get(second.system()).selfMember().status() == MemberStatus.up());
  }

  @AfterAll
  void stop() throws Exception {
    second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    first.close();
  }

  @Test
  @Order(1)
  void aTenantsConnectionCapHoldsWithItsSocketsSplitOverBothNodes() throws Exception {
    TestPlatform.TestTenant tenant = first.tenant("capped");
    String key = TestCalls.widgetKey(first.api, tenant, ORIGIN);
    String onFirst = "ws://127.0.0.1:" + first.node.httpPort() + "/ws/widget?key=" + key;
    String onSecond = "ws://127.0.0.1:" + second.httpPort() + "/ws/widget?key=" + key;
    List<SocketClient> open = new ArrayList<>();
    try {
      for (int port : List.of(first.node.httpPort(), first.node.httpPort(), second.httpPort(), second.httpPort())) {
        SocketClient socket = SocketClient.widget(port, key, ORIGIN);
        open.add(socket);
        socket.next("hello");
      }
      // Once the nodes have told each other their counts (about a second), the fifth is refused on either.
      for (String url : List.of(onFirst, onSecond)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> SocketClient.refusedStatus(url, ORIGIN) == 429);
      }
      try {
        SocketClient.widget(second.httpPort(), key, ORIGIN).close();
        throw new AssertionError("the fifth connection was accepted");
      } catch (Exception e) {
        var handshake = (java.net.http.WebSocketHandshakeException) e.getCause();
        assertThat(handshake.getResponse().statusCode()).isEqualTo(429);
        assertThat(String.valueOf(handshake.getResponse().body())).contains("too_many_connections");
      }
      // A place given back on the first node can be taken on the second.
      open.remove(0).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> SocketClient.refusedStatus(onSecond, ORIGIN) == 101);
    } finally {
      open.forEach(SocketClient::close);
    }
  }

  /** A join from {@code address} on the node at {@code port}: "queued", "refused:<code>" or "error:<code>". */
  private static String join(int port, String key, String address, String name) throws Exception {
    try (SocketClient socket = SocketClient.widget(port, key, ORIGIN, address)) {
      socket.next("hello");
      socket.send(Map.of("type", "join", "name", name));
      JsonNode answer = socket.next(message -> message.path("type").asText().matches("queued|refused|error"), "join");
      return answer.path("type").asText() + (answer.has("code") ? ":" + answer.get("code").asText() : "");
    }
  }

  /**
   * Waits until {@code node} has been told that another node took {@code count} from {@code key}
   * of the limit gossiped as {@code limit} ({@code ClusterCountsGossip}): a subscriber of the same
   * replicator key as the node's own, so notified in the same round as the node's limits are.
   */
  private static void awaitTakenElsewhere(VideoShopNode node, String limit, String key, long count) throws Exception {
    Key<LWWMap<String, ClusterShare>> dataKey = LWWMapKey.create(limit);
    CompletableFuture<Void> told = new CompletableFuture<>();
    Behavior<Replicator.SubscribeResponse<LWWMap<String, ClusterShare>>> watcher = Behaviors.receiveMessage(response -> {
      if (response instanceof Replicator.Changed<LWWMap<String, ClusterShare>> changed
          && changed.dataValue().getEntries().values().stream().anyMatch(share -> share.taken().containsKey(key)
              && share.taken().get(key).count() >= count)) {
        told.complete(null);
        return Behaviors.stopped();
      }
      return Behaviors.same();
    });
    ActorRef<Replicator.SubscribeResponse<LWWMap<String, ClusterShare>>> subscriber =
        node.system().systemActorOf(watcher, "watch-" + limit + "-" + java.util.UUID.randomUUID(), Props.empty());
    DistributedData.get(node.system()).replicator().tell(new Replicator.Subscribe<>(dataKey, subscriber));
    told.get(20, TimeUnit.SECONDS);
  }

  @Test
  @Order(2)
  void anAddressesJoinBudgetIsSpentOverBothNodes() throws Exception {
    TestPlatform.TestTenant tenant = first.tenant("joins");
    String key = TestCalls.widgetKey(first.api, tenant, ORIGIN);
    String address = "198.51.100.31";
    // Three joins a minute for the cluster: two on the first node, one on the second...
    assertThat(join(first.node.httpPort(), key, address, "Ann")).isEqualTo("queued");
    assertThat(join(first.node.httpPort(), key, address, "Bob")).isEqualTo("queued");
    assertThat(join(second.httpPort(), key, address, "Cy")).isEqualTo("queued");
    // ...and once the second has heard of the first's two, its own next join is refused (alone it had two left).
    awaitTakenElsewhere(second, "widget-joins", "address:" + address, 2);
    assertThat(join(second.httpPort(), key, address, "Dee")).isEqualTo("error:too_many_joins");
    assertThat(join(second.httpPort(), key, "198.51.100.32", "Eve")).as("another address").isEqualTo("queued");
  }

  @Test
  @Order(3)
  void anAddressesPublicBookingBudgetIsSpentOverBothNodes() throws Exception {
    TestPlatform.TestTenant tenant = first.tenant("booking-limits");
    String key = TestCalls.widgetKey(first.api, tenant, ORIGIN);
    String address = "198.51.100.41";
    ApiClient onSecond = new ApiClient(second.httpPort());
    java.util.function.BiFunction<ApiClient, String, ApiClient.Reply> slots = (api, from) -> api
        .call("GET", "/api/v1/widget/slots?days=1").header("X-Widget-Key", key).header("Origin", ORIGIN)
        .header("X-Forwarded-For", from).send();
    assertThat(slots.apply(first.api, address).status()).isEqualTo(200);
    assertThat(slots.apply(first.api, address).status()).isEqualTo(200);
    assertThat(slots.apply(onSecond, address).status()).isEqualTo(200);
    awaitTakenElsewhere(second, "public-booking-requests", "ip:" + address, 2);
    ApiClient.Reply limited = slots.apply(onSecond, address);
    assertThat(limited.status()).as("%s", limited).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("rate_limited");
    assertThat(slots.apply(onSecond, "198.51.100.42").status()).as("another address").isEqualTo(200);
  }

  @Test
  @Order(4)
  void anAddressesConsentWithdrawalBudgetIsSpentOverBothNodes() throws Exception {
    String address = "198.51.100.51";
    ApiClient onSecond = new ApiClient(second.httpPort());
    java.util.function.BiFunction<ApiClient, String, ApiClient.Reply> withdraw = (api, from) -> api
        .call("POST", "/api/v1/privacy/consent/withdraw").header("X-Forwarded-For", from)
        .body(Map.of("token", "guessed-token")).send();
    // A guessed token is refused, but counts: three for the cluster, two on the first node, one on the second...
    assertThat(withdraw.apply(first.api, address).code()).isEqualTo("invalid_consent_link");
    assertThat(withdraw.apply(first.api, address).code()).isEqualTo("invalid_consent_link");
    assertThat(withdraw.apply(onSecond, address).code()).isEqualTo("invalid_consent_link");
    // ...and once the second has heard of the first's two, the next is refused there (alone it had two left).
    awaitTakenElsewhere(second, "consent-withdrawals", "address:" + address, 2);
    ApiClient.Reply limited = withdraw.apply(onSecond, address);
    assertThat(limited.status()).as("%s", limited).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("rate_limited");
    assertThat(withdraw.apply(onSecond, "198.51.100.52").code()).as("another address")
        .isEqualTo("invalid_consent_link");
  }

  @Test
  @Order(10)
  void socketsOnEitherNodeShareTheQueueAndShoppersResumeAfterARestart() throws Exception {
    JsonNode waiting;
    TestPlatform.TestTenant tenant = first.tenant("across");
    ApiClient api = first.api;
    String key = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();

    // No socket anywhere yet, so no feed: the write itself tells the queue, on whichever node
    // sharding runs it (one of the two writes is made on the other node), at once.
    var queue = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(first.node.system())
        .entityRefFor(TenantQueue.ENTITY_KEY, tenant.id());
    for (var writer : List.of(Map.entry(api, 7), Map.entry(new ApiClient(second.httpPort()), 8))) {
      ApiClient.Reply saved = writer.getKey().call("PUT", "/api/v1/tenants/" + tenant.id() + "/settings")
          .bearer(tenant.ownerToken()).body(Map.of("timeZone", "UTC", "currency", "EUR",
              "businessHours", io.videoshop.tenant.BusinessHours.always(),
              "queue", Map.of("maxLength", writer.getValue(), "maxWaitSeconds", 600,
                  "reservationTimeoutSeconds", 5, "routingStrategy", "longest-idle"), "allowedOrigins", List.of()))
          .send();
      assertThat(saved.status()).as("%s", saved).isEqualTo(200);
      await().atMost(Duration.ofSeconds(2)).until(() -> queue.<QueueView>ask(TenantQueue.GetQueue::new,
          Duration.ofSeconds(5)).toCompletableFuture().get().settings().maxLength() == writer.getValue());
    }

    try (SocketClient onFirst = SocketClient.widget(first.node.httpPort(), key, ORIGIN);
        SocketClient onSecond = SocketClient.widget(second.httpPort(), key, ORIGIN);
        SocketClient agent = SocketClient.agent(second.httpPort(), tenant.agentToken())) {
      onFirst.send(Map.of("type", "join", "name", "Ada"));
      onFirst.next("queued");
      onSecond.send(Map.of("type", "join", "name", "Bob"));
      JsonNode bob = onSecond.next("queued");
      assertThat(bob.get("position").asInt()).isEqualTo(2);
      agent.next(message -> message.path("type").asText().equals("queue") && message.get("tickets").size() == 2,
          "both tickets on the console of the second node");

      agent.send(Map.of("type", "presence", "presence", "available"));
      JsonNode offer = agent.next("reservation");
      assertThat(offer.at("/ticket/name").asText()).isEqualTo("Ada");
      agent.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      String room = agent.next("assigned").get("roomId").asText();
      assertThat(onFirst.next("assigned").get("roomId").asText()).isEqualTo(room);
      onSecond.next(message -> message.path("type").asText().equals("position") && message.get("position").asInt() == 1,
          "Bob moves up, seen on the other node");
      waiting = bob;
    }
    // Bob's socket dropped with the block above; the cluster goes down with Bob waiting.
    second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    first.node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);

    VideoShopNode restarted = TestNodes.start(first.database);
    try {
      String tenantId = restarted.platform().tenants.list(10, 0).stream()
          .filter(t -> t.slug().equals("across")).findFirst().orElseThrow().id();
      String stored = restarted.platform().widgetKeys.list(tenantId).get(0).publicKey();
      try (SocketClient back = SocketClient.widget(restarted.httpPort(), stored, ORIGIN)) {
        back.send(Map.of("type", "resume", "ticketId", waiting.get("ticketId").asText(),
            "resumeToken", waiting.get("resumeToken").asText()));
        JsonNode resumed = back.next("queued");
        assertThat(resumed.get("ticketId").asText()).isEqualTo(waiting.get("ticketId").asText());
        assertThat(resumed.get("position").asInt()).isEqualTo(1);
      }
    } finally {
      restarted.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
