package io.videoshop.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.access.RoomTokens;
import io.videoshop.domain.RoomPass;
import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.queue.Presence;
import io.videoshop.queue.QueueView;
import io.videoshop.queue.TenantQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** From an accepted reservation to a finished, rated call, over real sockets on PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoomSocketsTest {
  private static final String ORIGIN = "https://shop.test";
  private static final String OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

  private TestPlatform platform;
  private int port;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres(),
        "videoshop.calls.ice { stun-urls = \"stun:stun.test:3478\", turn-urls = \"turn:turn.test:3478\", "
            + "turn-secret = \"UGBLEe-H1gUf0emelBUJ2OJt8f-n4rWanRQM12B-\" }");
    port = platform.node.httpPort();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  /** A shopper and an agent with an accepted reservation: their room tokens. */
  private record Assignment(TestPlatform.TestTenant tenant, String roomId, String shopperToken, String agentToken) {}

  private Assignment assigned(String slug) throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant(slug);
    String key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys")
        .bearer(tenant.adminToken()).body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN)))
        .send().json().get("publicKey").asText();
    try (SocketClient shopper = SocketClient.widget(port, key, ORIGIN);
        SocketClient console = SocketClient.agent(port, tenant.agentToken())) {
      shopper.send(Map.of("type", "join", "name", "Ada"));
      shopper.next("queued");
      console.send(Map.of("type", "presence", "presence", "available"));
      JsonNode offer = console.next("reservation");
      console.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      JsonNode agentSide = console.next("assigned");
      JsonNode shopperSide = shopper.next("assigned");
      assertThat(shopperSide.get("roomId").asText()).isEqualTo(agentSide.get("roomId").asText());
      assertThat(shopperSide.get("roomToken").asText()).isNotEqualTo(agentSide.get("roomToken").asText());
      return new Assignment(tenant, agentSide.get("roomId").asText(), shopperSide.get("roomToken").asText(),
          agentSide.get("roomToken").asText());
    }
  }

  private SocketClient room(String token) throws Exception {
    return SocketClient.room(port, token);
  }

  @Test
  void aWholeCallSignalingProductsHangUpFeedbackAndItsRecord() throws Exception {
    Assignment call = assigned("calls-flow");
    try (SocketClient agent = room(call.agentToken())) {
      JsonNode agentRoom = agent.next("room");
      assertThat(agentRoom.get("role").asText()).isEqualTo("agent");
      assertThat(agentRoom.get("state").asText()).isEqualTo("waiting");
      assertThat(agentRoom.get("peerConnected").asBoolean()).isFalse();
      assertThat(agentRoom.at("/iceServers/0/urls/0").asText()).isEqualTo("stun:stun.test:3478");
      JsonNode turn = agentRoom.at("/iceServers/1");
      assertThat(turn.get("username").asText()).endsWith(":" + call.tenant().agentId());
      assertThat(turn.get("credential").asText())
          .isEqualTo(IceServers.credential("UGBLEe-H1gUf0emelBUJ2OJt8f-n4rWanRQM12B-", turn.get("username").asText()));
      agent.send(Map.of("type", "device", "connectionType", "4g", "platform", "Linux x86_64"));

      SocketClient shopper = room(call.shopperToken());
      JsonNode shopperRoom = shopper.next("room");
      assertThat(shopperRoom.get("peerConnected").asBoolean()).isTrue();
      agent.next("peer-joined");
      agent.next("call-started");
      shopper.next("call-started");
      assertThat(shopper.next("minute").get("index").asInt()).isZero();

      agent.send(Map.of("type", "signal", "kind", "offer", "sdp", OFFER));
      assertThat(shopper.next("signal").get("sdp").asText()).isEqualTo(OFFER);
      shopper.send(Map.of("type", "signal", "kind", "answer", "sdp", OFFER));
      assertThat(agent.next("signal").get("kind").asText()).isEqualTo("answer");
      shopper.send(Map.of("type", "signal", "kind", "candidate",
          "candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid", "0", "sdpMLineIndex", 0));
      assertThat(agent.next("signal").get("candidate").asText()).startsWith("candidate:1 1 udp");
      shopper.send(Map.of("type", "signal", "kind", "offer", "sdp", "not sdp"));
      assertThat(shopper.next("error").get("code").asText()).isEqualTo("invalid_signal");
      shopper.send(Map.of("type", "signal", "kind", "bogus"));
      assertThat(shopper.next("error").get("field").asText()).isEqualTo("kind");
      shopper.send(Map.of("type", "stats", "localCandidateType", "host", "remoteCandidateType", "srflx",
          "roundTripMillis", 3.5));

      shopper.send(Map.of("type", "product", "sku", "X", "title", "Sneaky"));
      assertThat(shopper.next("error").get("code").asText()).isEqualTo("not_allowed_for_role");
      agent.send(Map.of("type", "product", "sku", "TRAIL-38", "title", "Trail runner", "price", "89.00 EUR",
          "productUrl", "https://shop.test/p/38", "imageUrl", "https://shop.test/i/38.jpg"));
      assertThat(shopper.next("product").get("title").asText()).isEqualTo("Trail runner");
      shopper.send(Map.of("type", "add-to-cart", "sku", "NOPE"));
      assertThat(shopper.next("error").get("code").asText()).isEqualTo("unknown_product");
      shopper.send(Map.of("type", "add-to-cart", "sku", "TRAIL-38"));
      assertThat(agent.next("added-to-cart").get("sku").asText()).isEqualTo("TRAIL-38");
      shopper.send(Map.of("type", "feedback", "rating", 5));
      assertThat(shopper.next("error").get("code").asText()).isEqualTo("call_not_ended");

      // The shopper's page reloads: the agent sees them go and come back, the call goes on.
      shopper.close();
      assertThat(agent.next("peer-left").get("graceSeconds").asInt()).isEqualTo(30);
      shopper = room(call.shopperToken());
      JsonNode back = shopper.next("room");
      assertThat(back.get("state").asText()).isEqualTo("in-call");
      assertThat(back.at("/products/0/sku").asText()).isEqualTo("TRAIL-38");
      agent.next("peer-joined");

      agent.send(Map.of("type", "hang-up"));
      JsonNode ended = shopper.next("call-ended");
      assertThat(ended.get("reason").asText()).isEqualTo("hung-up");
      assertThat(ended.get("endedBy").asText()).isEqualTo("agent");
      agent.next("call-ended");
      shopper.send(Map.of("type", "feedback", "rating", 7));
      assertThat(shopper.next("error").get("field").asText()).isEqualTo("rating");
      shopper.send(Map.of("type", "feedback", "rating", 5, "comment", "Found my size"));
      assertThat(shopper.next("ok").get("request").asText()).isEqualTo("feedback");
      agent.send(Map.of("type", "wrap-up", "outcome", "sale", "note", "Bought the trail runner"));
      assertThat(agent.next("ok").get("request").asText()).isEqualTo("wrap-up");
      shopper.close();
    }

    // The agent is free again, and the call's record is there for the tenant's admins.
    var queue = ClusterSharding.get(platform.node.system()).entityRefFor(TenantQueue.ENTITY_KEY, call.tenant().id());
    await().atMost(Duration.ofSeconds(10)).until(() -> queue.<QueueView>ask(TenantQueue.GetQueue::new,
        Duration.ofSeconds(5)).toCompletableFuture().get().agents().get(0).presence() == Presence.AVAILABLE);
    ApiClient.Reply record = platform.api.call("GET", "/api/v1/tenants/" + call.tenant().id() + "/calls/" + call.roomId())
        .bearer(call.tenant().adminToken()).send();
    assertThat(record.status()).as("%s", record).isEqualTo(200);
    JsonNode json = record.json();
    assertThat(json.get("status").asText()).isEqualTo("ended");
    assertThat(json.get("agentId").asText()).isEqualTo(call.tenant().agentId());
    assertThat(json.get("endReason").asText()).isEqualTo("hung-up");
    assertThat(json.get("minutes").asInt()).isEqualTo(1);
    assertThat(json.at("/feedback/rating").asInt()).isEqualTo(5);
    assertThat(json.at("/feedback/comment").asText()).isEqualTo("Found my size");
    assertThat(json.at("/wrapUp/outcome").asText()).isEqualTo("sale");
    assertThat(json.at("/products/0/sku").asText()).isEqualTo("TRAIL-38");
    assertThat(json.at("/addedToCart/0").asText()).isEqualTo("TRAIL-38");
    List<String> roles = new ArrayList<>();
    json.get("participants").forEach(p -> {
      roles.add(p.get("role").asText());
      assertThat(p.get("ip").asText()).isEqualTo("127.0.0.1");
      assertThat(p.get("userAgent").asText()).isNotBlank();
      assertThat(p.get("firstJoinedAt").asText()).isNotBlank();
      assertThat(p.get("lastLeftAt").asText()).isNotBlank();
    });
    assertThat(roles).containsExactlyInAnyOrder("shopper", "agent");
    List<String> timeline = new ArrayList<>();
    json.get("timeline").forEach(entry -> timeline.add(entry.get("event").asText()));
    assertThat(timeline).containsSubsequence("roomOpened", "participantJoined", "participantJoined", "callStarted",
        "productShown", "addedToCart", "participantLeft", "participantJoined", "callEnded", "feedbackGiven", "wrappedUp");
    assertThat(record.body()).as("the signaling is never stored").doesNotContain("candidate:1 1 udp");

    // Metering: the minute the room recorded is debited from the tenant's wallet, exactly once.
    String tenantPath = "/api/v1/tenants/" + call.tenant().id();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode ledger = platform.api.call("GET", tenantPath + "/wallet/ledger?type=debit").bearer(call.tenant().adminToken())
          .send().json();
      List<String> minutes = new ArrayList<>();
      ledger.get("items").forEach(line -> {
        if (call.roomId().equals(line.path("roomId").asText())) minutes.add(line.get("minuteIndex").asText());
      });
      assertThat(minutes).containsExactly("0");
    });
    // The list of calls (the calls read side) has it, with its outcome and rating.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode page = platform.api.call("GET", tenantPath + "/calls?status=ended&outcome=sale")
          .bearer(call.tenant().adminToken()).send().json();
      assertThat(page.get("items")).hasSize(1);
      JsonNode row = page.get("items").get(0);
      assertThat(row.get("roomId").asText()).isEqualTo(call.roomId());
      assertThat(row.get("rating").asInt()).isEqualTo(5);
      assertThat(row.get("minutes").asInt()).isEqualTo(1);
      assertThat(row.get("addedToCart").asInt()).isEqualTo(1);
      assertThat(row.get("endReason").asText()).isEqualTo("hung-up");
    });
    assertThat(platform.api.call("GET", tenantPath + "/calls?outcome=no-sale").bearer(call.tenant().adminToken())
        .send().json().get("items")).isEmpty();

    String stored = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT string_agg(encode(event_payload, 'escape'), '') FROM event_journal WHERE persistence_id = :id")
        .bind("id", "CallRoom|" + call.roomId()).mapTo(String.class).one());
    assertThat(stored).as("personal data is encrypted in the journal").doesNotContain("Found my size")
        .doesNotContain("Bought the trail runner").doesNotContain("127.0.0.1");
  }

  @Test
  void onlyAValidRoomTokenOpensARoom() throws Exception {
    Assignment call = assigned("calls-tokens");
    String base = "ws://127.0.0.1:" + port + "/ws/room";
    assertThat(SocketClient.refusedStatus(base, null)).isEqualTo(401);
    assertThat(SocketClient.refusedStatus(base + "?ticket=wst_forged", null)).isEqualTo(401);
    assertThat(platform.api.call("POST", "/api/v1/rooms/socket-ticket").body(Map.of("roomToken", "forged")).send()
        .status()).isEqualTo(401);
    assertThat(platform.api.call("POST", "/api/v1/rooms/socket-ticket")
        .body(Map.of("roomToken", call.tenant().agentToken())).send().status())
        .as("an access token is not a room token").isEqualTo(401);
    RoomTokens stale = new RoomTokens(platform.node.platform().signingKeys, Duration.ofMinutes(1),
        Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)));
    String expired = stale.issue(RoomPass.agent(call.roomId(), call.tenant().id(), "t", call.tenant().agentId(), "s"));
    assertThat(platform.api.call("POST", "/api/v1/rooms/socket-ticket").body(Map.of("roomToken", expired)).send()
        .code()).isEqualTo("token_expired");

    // A genuine token for someone else's call cannot enter this one once it is open.
    try (SocketClient agent = room(call.agentToken())) {
      agent.next("room");
      String intruder = platform.node.platform().roomTokens.issue(RoomPass.shopper(call.roomId(), call.tenant().id(),
          "another-ticket", call.tenant().agentId(), "shopper-x"));
      try (SocketClient stranger = room(intruder)) {
        assertThat(stranger.next("error").get("code").asText()).isEqualTo("not_in_this_room");
        stranger.awaitClosed();
      }
    }
  }
}
