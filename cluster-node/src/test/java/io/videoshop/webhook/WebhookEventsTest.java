package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditEntry;
import io.videoshop.audit.AuditLog;
import io.videoshop.http.Json;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestCalls;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.privacy.ShopperDirectory;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The catalog end to end on PostgreSQL: a real queue join and leave and a real call over the
 * widget, console and room sockets become webhook events that the projection queues exactly once
 * and the node's worker delivers to a JDK HttpServer receiver, signed, in each entity's sequence
 * order; personal data only to the endpoint that asks for it and never after erasure; replay from a
 * time rebuilt from the journal; resend and recover through the API. One node for the whole class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEventsTest {
  private static final String ORIGIN = "https://shop.test";

  private record Received(String path, String id, String timestamp, String signature, String body) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (java.io.IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String type() {
      return json().get("type").asText();
    }
  }

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private TestPlatform platform;
  private TestPlatform.TestTenant tenant;
  private HttpServer receiver;
  private String base;
  private final Map<String, String> secrets = new HashMap<>();
  private final Map<String, String> endpointIds = new HashMap<>();
  private Instant betweenShoppers;
  private String callId;

  @BeforeAll
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.createContext("/", exchange -> {
      var headers = exchange.getRequestHeaders();
      received.add(new Received(exchange.getRequestURI().getPath(), headers.getFirst("webhook-id"),
          headers.getFirst("webhook-timestamp"), headers.getFirst("webhook-signature"),
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      exchange.sendResponseHeaders(204, -1);
      try (OutputStream out = exchange.getResponseBody()) {
        out.flush();
      }
    });
    receiver.start();
    platform = new TestPlatform(TestDatabase.postgres(), "videoshop.webhooks.allowed-hosts = \"127.0.0.1\"");
    tenant = platform.tenant("whev-" + Long.toHexString(System.nanoTime()).substring(6));
    base = "/api/v1/tenants/" + tenant.id() + "/webhook-endpoints";
    endpoint("all", null, true);
    endpoint("plain", List.of("ticket.queued", "ticket.left", "call.started", "call.ended", "cart.item_added"), false);

    int port = platform.node.httpPort();
    String key = TestCalls.widgetKey(platform.api, tenant, ORIGIN);
    try (SocketClient widget = SocketClient.widget(port, key, ORIGIN)) {
      widget.send(Map.of("type", "join", "name", "Lea Leaver", "email", "lea@shopper.test"));
      widget.next("queued");
      widget.send(Map.of("type", "leave"));
      await().atMost(Duration.ofSeconds(30)).until(() -> types("/all").contains("ticket.left"));
    }
    betweenShoppers = Instant.now();
    TestCalls.Assigned call = TestCalls.assign(port, key, ORIGIN, tenant.agentToken(),
        Map.of("type", "join", "name", "Ada Shopper", "email", "ada@shopper.test", "phone", "+49 30 1234567"));
    callId = call.roomId();
    try (SocketClient agent = SocketClient.room(port, call.agentRoomToken());
        SocketClient shopper = SocketClient.room(port, call.shopperRoomToken())) {
      agent.next("call-started");
      shopper.next("call-started");
      agent.send(Map.of("type", "product", "sku", "TRAIL-38", "title", "Trail runner", "price", "89.00 EUR",
          "productUrl", "https://shop.test/p/38"));
      shopper.next("product");
      shopper.send(Map.of("type", "add-to-cart", "sku", "TRAIL-38"));
      agent.next("added-to-cart");
      agent.send(Map.of("type", "hang-up"));
      shopper.next("call-ended");
      agent.next("call-ended");
      agent.send(Map.of("type", "wrap-up", "outcome", "sale"));
      shopper.send(Map.of("type", "feedback", "rating", 5));
      await().atMost(Duration.ofSeconds(30)).until(() -> types("/all").containsAll(
          List.of("call.wrapped_up", "call.feedback")));
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (platform != null) platform.close();
    if (receiver != null) receiver.stop(0);
  }

  private void endpoint(String name, List<String> types, boolean personal) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/" + name);
    if (types != null) body.put("eventTypes", types);
    body.put("includePersonalData", personal);
    ApiClient.Reply created = platform.api.call("POST", base).bearer(tenant.adminToken()).body(body).send();
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    secrets.put(name, created.json().get("secret").asText());
    endpointIds.put(name, created.json().at("/endpoint/id").asText());
  }

  /** The tenant's audit entries of one action on one target, newest first. */
  private List<AuditEntry> audited(String action, String targetId) {
    return platform.node.platform().audit.page(new AuditLog.Filter(Optional.of(tenant.id()), Optional.empty(),
        Optional.of(action), Optional.of(targetId), Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), 50)).items();
  }

  private List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  private List<String> types(String path) {
    return at(path).stream().map(Received::type).toList();
  }

  private List<JsonNode> events(String path, String type) {
    return at(path).stream().map(Received::json).filter(e -> e.get("type").asText().equals(type)).toList();
  }

  @Test
  void aQueueJoinLeaveAndACallArriveSignedAndInEachEntitysSequenceOrder() {
    assertThat(types("/all")).contains("ticket.queued", "ticket.left", "call.started", "cart.item_added",
        "call.ended", "call.wrapped_up", "call.feedback");
    for (Received r : at("/all")) {
      assertThat(WebhookSignature.verify(secrets.get("all"), r.id(), Long.parseLong(r.timestamp()), r.body(),
          r.signature())).as("signature of %s", r.body()).isTrue();
    }
    // Each entity's events arrive in the order of their sequence numbers (one after the other per endpoint).
    Map<String, List<Long>> sequences = new LinkedHashMap<>();
    for (Received r : at("/all")) {
      JsonNode event = r.json();
      if (!event.has("entity")) continue; // a ping
      sequences.computeIfAbsent(event.get("entity").asText(), e -> new ArrayList<>()).add(event.get("sequence").asLong());
    }
    assertThat(sequences).containsKeys("TenantQueue|" + tenant.id(), "CallRoom|" + callId);
    sequences.forEach((entity, seqs) -> assertThat(seqs).as(entity).isSorted().doesNotHaveDuplicates());

    JsonNode ended = events("/all", "call.ended").get(0).get("data");
    assertThat(ended.get("callId").asText()).isEqualTo(callId);
    assertThat(ended.get("agentId").asText()).isEqualTo(tenant.agentId());
    assertThat(ended.get("durationSeconds").asLong()).isNotNegative();
    assertThat(ended.get("productsShown")).extracting(JsonNode::asText).containsExactly("TRAIL-38");
    assertThat(ended.get("addedToCart")).extracting(JsonNode::asText).containsExactly("TRAIL-38");
    assertThat(events("/all", "call.wrapped_up").get(0).at("/data/outcome").asText()).isEqualTo("sale");
    assertThat(events("/all", "call.feedback").get(0).at("/data/rating").asInt()).isEqualTo(5);
    assertThat(events("/all", "ticket.left").get(0).at("/data/waitedSeconds").isNumber()).isTrue();
    // The plain endpoint got only its types, and each once.
    await().atMost(Duration.ofSeconds(20)).until(() -> types("/plain").containsAll(
        List.of("ticket.queued", "ticket.left", "call.started", "cart.item_added", "call.ended")));
    assertThat(new TreeSet<>(types("/plain"))).containsExactly("call.ended", "call.started", "cart.item_added",
        "ticket.left", "ticket.queued");
    assertThat(at("/plain").stream().map(Received::id).distinct().count()).isEqualTo(at("/plain").size());
  }

  @Test
  void personalDataGoesOnlyToTheEndpointThatAsksForIt() {
    JsonNode withData = events("/all", "ticket.queued").stream()
        .filter(e -> "Ada Shopper".equals(e.at("/data/name").asText())).findFirst().orElseThrow().get("data");
    assertThat(withData.get("email").asText()).isEqualTo("ada@shopper.test");
    assertThat(withData.get("phone").asText()).isEqualTo("+49 30 1234567");
    await().atMost(Duration.ofSeconds(20)).until(() -> events("/plain", "ticket.queued").size() == 2);
    for (JsonNode plain : events("/plain", "ticket.queued")) {
      assertThat(plain.get("data").has("name")).isFalse();
      assertThat(plain.get("data").has("email")).isFalse();
      assertThat(plain.get("data").has("phone")).isFalse();
    }
    assertThat(at("/plain")).allSatisfy(r -> assertThat(r.body()).doesNotContain("ada@shopper.test", "Lea Leaver"));
    // The shopper's export lists the deliveries that carried their data: the personal endpoint's, not the plain one's.
    String webhooks = exportFile(platform.node.platform().erasures.export().zip(tenant.id(),
        ShopperDirectory.ReferenceType.EMAIL, "ada@shopper.test"), "webhooks.json");
    assertThat(webhooks).contains(endpointIds.get("all"), "ticket.queued").doesNotContain(endpointIds.get("plain"));
  }

  private static String exportFile(byte[] zip, String name) {
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        if (entry.getName().equals(name)) return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      throw new AssertionError("no " + name + " in the export");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theDocumentedExamplesHaveTheFieldsOfWhatIsSent() throws Exception {
    Map<String, Set<String>> documented = WebhookCatalogTest.documentedFields();
    assertThat(documented).containsKeys("ticket.queued", "call.ended", "booking.created", "subject.erased");
    assertThat(documented.keySet()).as("every catalog type is documented").containsAll(
        WebhookEvents.TYPES.stream().filter(t -> !t.equals("ping")).toList());
    for (String type : List.of("ticket.queued", "ticket.left", "call.started", "cart.item_added", "call.ended",
        "call.wrapped_up", "call.feedback")) {
      JsonNode sent = events("/all", type).get(0).get("data");
      Set<String> produced = WebhookCatalogTest.fields(sent);
      produced.removeAll(WebhookErasureStep.PERSONAL_FIELDS);
      assertThat(documented.get(type)).as(type).isEqualTo(produced);
    }
  }

  @Test
  void aReplayFromATimeIsRebuiltFromTheJournal() {
    endpoint("replay", null, false);
    ApiClient.Reply asked = platform.api.call("POST", base + "/" + endpointIds.get("replay") + "/replay")
        .bearer(tenant.adminToken()).body(Map.of("since", betweenShoppers.toString())).send();
    assertThat(asked.status()).as("%s", asked).isEqualTo(202);
    assertThat(audited("webhook_endpoint.replay_requested", endpointIds.get("replay"))).singleElement()
        .satisfies(entry -> {
          assertThat(entry.actorId()).isEqualTo(tenant.adminId());
          assertThat(entry.after().get("since").asText()).isEqualTo(betweenShoppers.toString());
        });
    Set<String> expected = at("/all").stream().map(Received::json)
        .filter(e -> e.has("entity") && Instant.parse(e.get("timestamp").asText()).isAfter(betweenShoppers))
        .map(e -> e.get("type").asText() + " " + e.get("entity").asText() + " " + e.get("sequence").asLong())
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(expected).anyMatch(e -> e.startsWith("call.ended"));
    await().atMost(Duration.ofSeconds(30)).until(() -> at("/replay").stream().map(Received::json)
        .map(e -> e.get("type").asText() + " " + e.get("entity").asText() + " " + e.get("sequence").asLong())
        .collect(Collectors.toSet()).containsAll(expected));
    // Nothing from before the time: the first shopper's join and leave are not replayed.
    assertThat(types("/replay")).doesNotContain("ticket.left");
    JsonNode ended = events("/replay", "call.ended").get(0).get("data");
    assertThat(ended.get("productsShown")).extracting(JsonNode::asText).containsExactly("TRAIL-38");
    for (Received r : at("/replay")) {
      assertThat(WebhookSignature.verify(secrets.get("replay"), r.id(), Long.parseLong(r.timestamp()), r.body(),
          r.signature())).isTrue();
    }
  }

  @Test
  void aReplayReadsTheTenantsCallRoomsPageByPageInTheOrderTheyOpened() throws Exception {
    String other = "whpage-" + Long.toHexString(System.nanoTime());
    Instant t0 = Instant.parse("2026-06-01T10:00:00Z");
    List<String> opened = List.of("c_page_a", "c_page_b", "c_page_c", "c_page_d", "c_page_e");
    platform.node.platform().jdbi.useHandle(handle -> {
      for (int i = 0; i < opened.size(); i++) {
        // c and d opened in the same instant, on either side of a page's end: the cursor must not skip d
        handle.createUpdate("""
                INSERT INTO calls (room_id, tenant_id, ticket_id, agent_id, status, created_at)
                VALUES (:room, :tenant, 'tk', 'u', 'ended', :at)""")
            .bind("room", opened.get(i) + "-" + other).bind("tenant", other)
            .bind("at", java.sql.Timestamp.from(t0.plusSeconds(i == 3 ? 2 : i))).execute();
      }
    });
    WebhookReplay replay = new WebhookReplay(platform.node.system(), platform.node.platform().jdbi, null, null,
        Executors.newSingleThreadExecutor(), java.time.Clock.systemUTC());
    List<String> rooms = replay.rooms(other, t0.plusMillis(500), 2)
        .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), platform.node.system()).toCompletableFuture()
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(rooms).containsExactly("c_page_b-" + other, "c_page_c-" + other, "c_page_d-" + other,
        "c_page_e-" + other);
  }

  @Test
  void resendAndRecoverGoThroughTheApi() {
    String endpoint = endpointIds.get("plain");
    await().atMost(Duration.ofSeconds(20)).until(() -> !events("/plain", "call.started").isEmpty());
    Received first = at("/plain").stream().filter(r -> r.type().equals("call.started")).findFirst().orElseThrow();
    ApiClient.Reply resent = platform.api.call("POST", base + "/" + endpoint + "/messages/" + first.id() + "/resend")
        .bearer(tenant.adminToken()).send();
    assertThat(resent.status()).as("%s", resent).isEqualTo(202);
    String resentId = resent.json().get("messageId").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> at("/plain").stream().anyMatch(r -> r.id().equals(resentId)));
    assertThat(at("/plain").stream().filter(r -> r.id().equals(resentId)).findFirst().orElseThrow().body())
        .isEqualTo(first.body());
    assertThat(audited("webhook_message.resent", resentId)).singleElement().satisfies(entry -> {
      assertThat(entry.actorId()).isEqualTo(tenant.adminId());
      assertThat(entry.before().get("messageId").asText()).isEqualTo(first.id());
      assertThat(entry.after().get("endpointId").asText()).isEqualTo(endpoint);
    });
    assertThat(platform.api.call("POST", base + "/" + endpoint + "/messages/msg_none/resend")
        .bearer(tenant.adminToken()).send().status()).isEqualTo(404);
    assertThat(audited("webhook_message.resent", "msg_none")).as("a refused resend is not audited").isEmpty();

    // A message that failed (as after its last attempt) is pending again and sent under its own id.
    Instant before = Instant.now().minusSeconds(3600);
    platform.node.platform().jdbi.useHandle(handle -> handle.createUpdate(
            "UPDATE webhook_messages SET status = 'failed', finished_at = created_at WHERE id = :id")
        .bind("id", first.id()).execute());
    long deliveredBefore = at("/plain").stream().filter(r -> r.id().equals(first.id())).count();
    ApiClient.Reply recovered = platform.api.call("POST", base + "/" + endpoint + "/recover")
        .bearer(tenant.adminToken()).body(Map.of("since", before.toString())).send();
    assertThat(recovered.status()).as("%s", recovered).isEqualTo(200);
    assertThat(recovered.json().get("recovered").asInt()).isEqualTo(1);
    assertThat(audited("webhook_endpoint.recovered", endpoint)).singleElement().satisfies(entry -> {
      assertThat(entry.actorId()).isEqualTo(tenant.adminId());
      assertThat(entry.after().get("recovered").asInt()).isEqualTo(1);
      assertThat(entry.after().get("since").asText()).isEqualTo(before.toString());
    });
    await().atMost(Duration.ofSeconds(20)).until(() ->
        at("/plain").stream().filter(r -> r.id().equals(first.id())).count() == deliveredBefore + 1);
    assertThat(platform.api.call("POST", base + "/" + endpoint + "/recover").bearer(tenant.adminToken())
        .body(Map.of()).send().status()).isEqualTo(422);
  }

  @Test
  void erasingTheShopperStripsTheirDataAndSendsSubjectErased() {
    var erasures = platform.node.platform().erasures;
    var request = erasures.request(tenant.id(), ShopperDirectory.ReferenceType.EMAIL, "lea@shopper.test",
        Caller.system("test"));
    await().atMost(Duration.ofSeconds(30)).until(() ->
        "done".equals(erasures.get(tenant.id(), request.id()).orElseThrow().status()));
    await().atMost(Duration.ofSeconds(20)).until(() -> types("/all").contains("subject.erased"));
    JsonNode erased = events("/all", "subject.erased").get(0).get("data");
    String leaTicket = events("/all", "ticket.queued").stream()
        .filter(e -> "Lea Leaver".equals(e.at("/data/name").asText())).findFirst().orElseThrow().at("/data/ticketId")
        .asText();
    assertThat(erased.get("ticketIds")).extracting(JsonNode::asText).contains(leaTicket);
    // The stored message no longer carries her data: a resend sends it without.
    Received queued = at("/all").stream().filter(r -> r.body().contains("Lea Leaver")).findFirst().orElseThrow();
    ApiClient.Reply resent = platform.api.call("POST", base + "/" + endpointIds.get("all") + "/messages/"
        + queued.id() + "/resend").bearer(tenant.adminToken()).send();
    assertThat(resent.status()).as("%s", resent).isEqualTo(202);
    String resentId = resent.json().get("messageId").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> at("/all").stream().anyMatch(r -> r.id().equals(resentId)));
    Received again = at("/all").stream().filter(r -> r.id().equals(resentId)).findFirst().orElseThrow();
    assertThat(again.body()).doesNotContain("Lea Leaver", "lea@shopper.test").contains(leaTicket);
    // And a replay to an endpoint that wants personal data finds nothing to decrypt: the key is shredded.
    endpoint("after-erasure", List.of("ticket.queued"), true);
    platform.api.call("POST", base + "/" + endpointIds.get("after-erasure") + "/replay").bearer(tenant.adminToken())
        .body(Map.of("since", Instant.now().minusSeconds(3600).toString())).send();
    await().atMost(Duration.ofSeconds(30)).until(() -> events("/after-erasure", "ticket.queued").size() == 2);
    assertThat(at("/after-erasure")).anySatisfy(r -> assertThat(r.body()).contains("Ada Shopper"))
        .allSatisfy(r -> assertThat(r.body()).doesNotContain("Lea Leaver", "lea@shopper.test"));
  }
}
