package io.videoshop.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Web push on one node over PostgreSQL: users subscribe their browsers through the API, a push
 * reaches a local push service that checks the VAPID JWT and decrypts the payload, 404/410 remove
 * the subscription, opt-out stops pushes, and the VAPID key pair is made once however many nodes
 * race to make it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPushTest {
  private static final String SUBJECT = "mailto:push-test@videoshop.invalid";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestPlatform platform;
  private TestPushService pushService;
  private TestPlatform.TestTenant shop;

  @BeforeAll
  void start() throws Exception {
    platform = new TestPlatform(TestDatabase.postgres(), "videoshop.push { subject = \"" + SUBJECT
        + "\", endpoint-hosts = \"127.0.0.1\", allow-plain-http = true, max-subscriptions-per-user = 3 }");
    pushService = new TestPushService(platform.node.platform().vapidKeys.publicKeyBase64Url(), SUBJECT);
    shop = platform.tenant("push-shop");
  }

  @AfterAll
  void stop() throws Exception {
    if (pushService != null) pushService.close();
    if (platform != null) platform.close();
  }

  private ApiClient.Reply subscribe(String token, Object body) {
    return platform.api.call("POST", "/api/v1/me/push-subscriptions").bearer(token).body(body).send();
  }

  private PushOutcome deliver(String subscriptionId, PushMessage message) throws Exception {
    return platform.node.platform().pushChannel.send(subscriptionId, message);
  }

  @Test
  @Order(1)
  void anOfferPushReachesTheBrowserSignedWithVapidAndEncryptedForItAlone() throws Exception {
    ApiClient.Reply key = platform.api.call("GET", "/api/v1/push/public-key").send();
    assertThat(key.status()).isEqualTo(200);
    assertThat(key.json().get("publicKey").asText()).isEqualTo(platform.node.platform().vapidKeys.publicKeyBase64Url());

    ApiClient.Reply created = subscribe(shop.agentToken(), pushService.subscribe("agent-laptop"));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    String id = created.json().get("id").asText();
    assertThat(created.json().get("pushService").asText()).isEqualTo("127.0.0.1");
    assertThat(created.json().has("endpoint")).isFalse();

    Instant expiresAt = Instant.now().plusSeconds(40);
    PushOutcome outcome = deliver(id, AgentPushes.offer(expiresAt, Instant.now()));

    assertThat(outcome).isInstanceOf(PushOutcome.Delivered.class);
    List<TestPushService.Received> received = pushService.receivedAt("agent-laptop");
    assertThat(received).hasSize(1);
    TestPushService.Received push = received.get(0);
    assertThat(push.problems()).isEmpty();
    assertThat(push.answered()).isEqualTo(201);
    assertThat(push.headers()).containsEntry("Topic", "offer").containsEntry("Urgency", "high");
    assertThat(Long.parseLong(push.headers().get("TTL"))).isBetween(30L, 40L);
    JsonNode payload = JSON.readTree(push.payload());
    assertThat(payload.get("kind").asText()).isEqualTo("offer");
    assertThat(payload.get("url").asText()).isEqualTo("/console");
    assertThat(payload.get("tag").asText()).isEqualTo("offer");

    JsonNode listed = platform.api.call("GET", "/api/v1/me/push-subscriptions").bearer(shop.agentToken()).send().json();
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("id").asText()).isEqualTo(id);
    assertThat(listed.get(0).get("lastDeliveredAt").isNull()).isFalse();
  }

  @Test
  @Order(2)
  void theEndpointAndKeysAreNeverStoredInPlainText() {
    Map<String, Object> browser = pushService.subscribe("agent-phone");
    ApiClient.Reply created = subscribe(shop.agentToken(), browser);
    assertThat(created.status()).isEqualTo(201);
    @SuppressWarnings("unchecked")
    Map<String, String> keys = (Map<String, String>) browser.get("keys");
    String endpoint = (String) browser.get("endpoint");
    List<Map<String, Object>> rows = platform.node.platform().jdbi.withHandle(handle ->
        handle.createQuery("SELECT * FROM push_subscriptions").mapToMap().list());
    String everything = rows.toString();
    assertThat(everything).doesNotContain(endpoint).doesNotContain("agent-phone")
        .doesNotContain(keys.get("p256dh")).doesNotContain(keys.get("auth"));
  }

  @Test
  @Order(3)
  void goneOrNotFoundRemovesTheSubscriptionAndOtherFailuresKeepIt() throws Exception {
    Map<Integer, String> ids = new HashMap<>();
    for (int status : new int[] {410, 404, 500, 429, 413}) {
      ApiClient.Reply created = subscribe(shop.adminToken(), pushService.subscribe("admin-" + status));
      if (created.status() == 409) {
        // the admin may subscribe three browsers: remove the last one tried before going on
        for (JsonNode row : platform.api.call("GET", "/api/v1/me/push-subscriptions").bearer(shop.adminToken()).send().json()) {
          platform.api.call("DELETE", "/api/v1/me/push-subscriptions/" + row.get("id").asText()).bearer(shop.adminToken()).send();
        }
        created = subscribe(shop.adminToken(), pushService.subscribe("admin-" + status));
      }
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      ids.put(status, created.json().get("id").asText());
      pushService.answer("admin-" + status, status);
      PushOutcome outcome = deliver(ids.get(status), AgentPushes.appointmentReminder("appt-1",
          Instant.now().plus(Duration.ofMinutes(15)), Instant.now()));
      boolean stored = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT COUNT(*) FROM push_subscriptions WHERE id = :id").bind("id", ids.get(status)).mapTo(Integer.class).one()) == 1;
      switch (status) {
        case 410, 404 -> {
          assertThat(outcome).isEqualTo(new PushOutcome.Gone(status));
          assertThat(stored).as("a %d removes the subscription", status).isFalse();
        }
        case 500, 429 -> {
          assertThat(outcome).isInstanceOf(PushOutcome.Retry.class);
          assertThat(stored).isTrue();
        }
        default -> {
          assertThat(outcome).isInstanceOf(PushOutcome.Permanent.class);
          assertThat(stored).isTrue();
        }
      }
      assertThat(pushService.receivedAt("admin-" + status)).singleElement()
          .satisfies(push -> assertThat(push.problems()).isEmpty());
    }
    TestPushService.Received reminder = pushService.receivedAt("admin-410").get(0);
    assertThat(reminder.headers().get("Topic")).startsWith("reminder-").hasSizeLessThanOrEqualTo(32);
    assertThat(Long.parseLong(reminder.headers().get("TTL"))).isBetween(14 * 60L, 15 * 60L);
  }

  @Test
  @Order(4)
  void anAgentWhoTurnedPushOffGetsNone() throws Exception {
    ApiClient.Reply created = subscribe(shop.ownerToken(), pushService.subscribe("owner-laptop"));
    String id = created.json().get("id").asText();
    assertThat(platform.api.call("GET", "/api/v1/me/push-preferences").bearer(shop.ownerToken()).send().json()
        .get("pushEnabled").asBoolean()).isTrue();

    ApiClient.Reply off = platform.api.call("PUT", "/api/v1/me/push-preferences").bearer(shop.ownerToken())
        .body(Map.of("pushEnabled", false)).send();
    assertThat(off.status()).as("%s", off).isEqualTo(200);
    assertThat(off.json().get("pushEnabled").asBoolean()).isFalse();
    assertThat(deliver(id, AgentPushes.offer(Instant.now().plusSeconds(30), Instant.now())))
        .isEqualTo(new PushOutcome.Gone(0));
    assertThat(pushService.receivedAt("owner-laptop")).isEmpty();
    assertThat(recipients(shop.ownerId())).isEmpty();

    platform.api.call("PUT", "/api/v1/me/push-preferences").bearer(shop.ownerToken())
        .body(Map.of("pushEnabled", true)).send();
    assertThat(deliver(id, AgentPushes.offer(Instant.now().plusSeconds(30), Instant.now())))
        .isInstanceOf(PushOutcome.Delivered.class);
    assertThat(recipients(shop.ownerId())).containsExactly(id);

    // The same opt-out through the notification preferences (non-essential push: every agent push).
    for (boolean wanted : new boolean[] {false, true}) {
      ApiClient.Reply chosen = platform.api.call("PUT", "/api/v1/me/notification-preferences").bearer(shop.ownerToken())
          .body(Map.of("language", "en", "nonEssentialMail", true, "nonEssentialPush", wanted, "newSignInMail", false))
          .send();
      assertThat(chosen.status()).as("%s", chosen).isEqualTo(200);
      PushOutcome outcome = deliver(id, AgentPushes.offer(Instant.now().plusSeconds(30), Instant.now()));
      if (wanted) {
        assertThat(outcome).isInstanceOf(PushOutcome.Delivered.class);
        assertThat(recipients(shop.ownerId())).containsExactly(id);
      } else {
        assertThat(outcome).isEqualTo(new PushOutcome.Gone(0));
        assertThat(recipients(shop.ownerId())).isEmpty();
      }
    }
    assertThat(pushService.receivedAt("owner-laptop")).hasSize(2);
  }

  @Test
  @Order(5)
  void badSubscriptionsAreRefusedWithClearCodesAndChangeNothing() {
    String token = shop.agentToken();
    int before = platform.api.call("GET", "/api/v1/me/push-subscriptions").bearer(token).send().json().size();
    Map<String, Object> good = pushService.subscribe("agent-bad");
    @SuppressWarnings("unchecked")
    Map<String, String> keys = (Map<String, String>) good.get("keys");

    assertRefused(subscribe(token, Map.of("endpoint", "https://push.example.org/x", "keys", keys)), 422,
        "push_endpoint_not_allowed", "endpoint");
    assertRefused(subscribe(token, Map.of("endpoint", "ftp://127.0.0.1/x", "keys", keys)), 422,
        "validation_failed", "invalid_url");
    assertRefused(subscribe(token, Map.of("endpoint", "http://127.0.0.1/" + "x".repeat(2100), "keys", keys)), 422,
        "validation_failed", "too_long");
    assertRefused(subscribe(token, Map.of("endpoint", good.get("endpoint"))), 422, "validation_failed", "required");
    assertRefused(subscribe(token, Map.of("endpoint", good.get("endpoint"),
        "keys", Map.of("p256dh", keys.get("p256dh").substring(0, 60) + "AAAAAAAAAAAAAAAAAAAAAAAAAAA", "auth", keys.get("auth")))),
        422, "validation_failed", "invalid_key");
    assertRefused(subscribe(token, Map.of("endpoint", good.get("endpoint"),
        "keys", Map.of("p256dh", keys.get("p256dh"), "auth", "AAAA"))), 422, "validation_failed", "invalid_key");
    assertRefused(subscribe(token, Map.of("endpoint", good.get("endpoint"), "keys", keys, "extra", 1)), 400,
        "unknown_field", null);
    assertRefused(platform.api.call("PUT", "/api/v1/me/push-preferences").bearer(token).body(Map.of()).send(), 422,
        "validation_failed", "required");
    assertRefused(platform.api.call("DELETE", "/api/v1/me/push-subscriptions/psub_nope").bearer(token).send(), 404,
        "push_subscription_not_found", null);
    assertRefused(subscribe(platform.operatorToken(), good), 403, "push_for_users_only", null);

    assertThat(platform.api.call("GET", "/api/v1/me/push-subscriptions").bearer(token).send().json()).hasSize(before);
    assertThat(platform.api.call("GET", "/api/v1/me/push-preferences").bearer(token).send().json()
        .get("pushEnabled").asBoolean()).isTrue();
  }

  @Test
  @Order(6)
  void eachUserManagesOnlyTheirOwnBrowsersAndTheLimitHolds() {
    Map<String, Object> browser = pushService.subscribe("shared-tablet");
    String id = subscribe(shop.agentToken(), browser).json().get("id").asText();
    // Another user of the tenant cannot see or remove it.
    assertThat(platform.api.call("GET", "/api/v1/me/push-subscriptions").bearer(shop.ownerToken()).send().json()
        .findValuesAsText("id")).doesNotContain(id);
    assertRefused(platform.api.call("DELETE", "/api/v1/me/push-subscriptions/" + id).bearer(shop.ownerToken()).send(),
        404, "push_subscription_not_found", null);
    // The same browser subscribing again is the same subscription.
    assertThat(subscribe(shop.agentToken(), browser).json().get("id").asText()).isEqualTo(id);
    // The agent has agent-laptop, agent-phone and shared-tablet: the limit is 3.
    assertRefused(subscribe(shop.agentToken(), pushService.subscribe("one-too-many")), 409, "push_subscription_limit",
        null);
    assertThat(platform.api.call("DELETE", "/api/v1/me/push-subscriptions/" + id).bearer(shop.agentToken()).send()
        .status()).isEqualTo(204);
    assertThat(platform.api.call("GET", "/api/v1/me/push-subscriptions").bearer(shop.agentToken()).send().json()
        .findValuesAsText("id")).doesNotContain(id);
    assertThat(platform.api.call("GET", "/api/v1/tenants/" + shop.id() + "/audit").bearer(shop.ownerToken()).send()
        .body()).contains("push_subscription.removed");
  }

  @Test
  @Order(7)
  void anOfferIsPushedThroughTheOutboxOncePerBrowserWithTheReservationsTimeLeftAsTtl() throws Exception {
    TestPlatform.TestTenant offers = platform.tenant("offer-shop");
    Map<String, Object> queue = Map.of("maxLength", 10, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 30,
        "routingStrategy", "longest-idle");
    ApiClient.Reply settings = platform.api.call("PUT", "/api/v1/tenants/" + offers.id() + "/settings")
        .bearer(offers.ownerToken()).body(Map.of("timeZone", "UTC", "currency", "EUR",
            "businessHours", io.videoshop.tenant.BusinessHours.always(), "queue", queue, "allowedOrigins", List.of()))
        .send();
    assertThat(settings.status()).as("%s", settings).isEqualTo(200);
    String origin = "https://store.offer-shop.test";
    String widgetKey = platform.api.call("POST", "/api/v1/tenants/" + offers.id() + "/widget-keys")
        .bearer(offers.adminToken()).body(Map.of("name", "store", "allowedOrigins", List.of(origin))).send()
        .json().get("publicKey").asText();
    assertThat(subscribe(offers.agentToken(), pushService.subscribe("offer-laptop")).status()).isEqualTo(201);
    assertThat(subscribe(offers.agentToken(), pushService.subscribe("offer-phone")).status()).isEqualTo(201);
    pushService.answer("offer-phone", 503);
    int port = platform.node.httpPort();

    try (SocketClient shopper = SocketClient.widget(port, widgetKey, origin);
        SocketClient agent = SocketClient.agent(port, offers.agentToken())) {
      shopper.next("hello");
      shopper.send(Map.of("type", "join", "name", "Ada", "email", "ada@example.com", "productInterest", "trail shoes",
          "language", "en"));
      assertThat(shopper.next(m -> m.path("type").asText().matches("queued|refused|error"), "join").get("type")
          .asText()).isEqualTo("queued");
      agent.next("hello");
      agent.send(Map.of("type", "presence", "presence", "available", "languages", List.of("en")));
      JsonNode offer = agent.next("reservation");
      Instant expiresAt = Instant.parse(offer.get("expiresAt").asText());

      await().atMost(Duration.ofSeconds(30)).until(() -> !pushService.receivedAt("offer-laptop").isEmpty()
          && !pushService.receivedAt("offer-phone").isEmpty());
      TestPushService.Received push = pushService.receivedAt("offer-laptop").get(0);
      assertThat(push.problems()).isEmpty();
      assertThat(push.headers()).containsEntry("Topic", "offer").containsEntry("Urgency", "high");
      long ttl = Long.parseLong(push.headers().get("TTL"));
      assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.between(Instant.now(), expiresAt).toSeconds() + 2);
      JsonNode payload = JSON.readTree(push.payload());
      assertThat(payload.get("kind").asText()).isEqualTo("offer");
      assertThat(push.payload()).as("no shopper's name in a push").doesNotContain("Ada").doesNotContain("trail");
    }

    List<Map<String, Object>> rows = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT kind, topic, status, attempts, payload, last_error FROM outbox WHERE tenant_id = :t AND kind = 'push' ORDER BY id")
        .bind("t", offers.id()).mapToMap().list());
    assertThat(rows).as("one row per browser, once").hasSize(2);
    assertThat(rows).extracting(row -> row.get("topic")).containsOnly("offer");
    await().atMost(Duration.ofSeconds(15)).until(() -> platform.node.platform().jdbi.withHandle(handle -> handle
        .createQuery("SELECT status FROM outbox WHERE tenant_id = :t AND kind = 'push' ORDER BY id").bind("t", offers.id())
        .mapTo(String.class).list()).contains("delivered"));
    Map<String, Object> retried = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT status, payload, last_error FROM outbox WHERE tenant_id = :t AND kind = 'push' AND status <> 'delivered'")
        .bind("t", offers.id()).mapToMap().one());
    assertThat(retried.get("status")).isEqualTo("pending");
    assertThat((String) retried.get("last_error")).contains("503");
    assertThat((String) retried.get("payload")).as("the waiting push is encrypted")
        .doesNotContain("A shopper for you").doesNotContain("psub_").doesNotContain("offer-phone");
    assertThat(pushService.receivedAt("offer-laptop")).as("delivered once").hasSize(1);
  }

  @Test
  @Order(8)
  void anErasedOrDeactivatedUsersBrowserIsNoLongerPushed() throws Exception {
    TestPlatform.TestTenant erased = platform.tenant("erased-shop");
    String id = subscribe(erased.agentToken(), pushService.subscribe("erased-agent")).json().get("id").asText();
    platform.node.platform().jdbi.useHandle(handle -> handle.execute(
        "UPDATE personal_data_keys SET key_bytes = NULL, erased_at = CURRENT_TIMESTAMP WHERE subject_id = ?",
        PushSubscriptions.subjectOf(erased.agentId())));

    assertThat(deliver(id, AgentPushes.offer(Instant.now().plusSeconds(30), Instant.now())))
        .isEqualTo(new PushOutcome.Gone(0));
    assertThat(pushService.receivedAt("erased-agent")).isEmpty();
    assertThat(platform.api.call("GET", "/api/v1/me/push-subscriptions").bearer(erased.agentToken()).send().json())
        .isEmpty();

    // A deactivated user is pushed nothing either (their subscription stays for if they come back).
    String admins = subscribe(erased.adminToken(), pushService.subscribe("deactivated-admin")).json().get("id").asText();
    assertThat(recipients(erased.adminId())).containsExactly(admins);
    assertThat(platform.api.call("POST", "/api/v1/tenants/" + erased.id() + "/users/" + erased.adminId() + "/deactivate")
        .bearer(erased.ownerToken()).send().status()).isEqualTo(200);
    assertThat(recipients(erased.adminId())).isEmpty();
    assertThat(deliver(admins, AgentPushes.offer(Instant.now().plusSeconds(30), Instant.now())))
        .isEqualTo(new PushOutcome.Gone(0));
    assertThat(pushService.receivedAt("deactivated-admin")).isEmpty();
  }

  @Test
  @Order(9)
  void theOutboxDropsAPushPastItsDeadlineDeadLettersARefusedOneAndForgetsAGoneBrowser() throws Exception {
    TestPlatform.TestTenant shop9 = platform.tenant("outbox-shop");
    String late = subscribe(shop9.agentToken(), pushService.subscribe("late-laptop")).json().get("id").asText();
    var node = platform.node.platform();
    // A row whose deadline passed before a worker took it (the outbox was behind): nothing is sent.
    Instant started = Instant.now().minusSeconds(1);
    int queued = node.jdbi.inTransaction(handle -> PushOutbox.enqueue(node.outbox, handle, "reminder", shop9.id(),
        shop9.agentId(), AgentPushes.appointmentReminder("appt-late", started, Instant.now()), started,
        "push:reminder:appt-late"));
    assertThat(queued).isEqualTo(1);
    node.deliveryWorkers.nudge();
    await().atMost(Duration.ofSeconds(20)).until(() -> !statuses(shop9.id()).contains("pending"));

    pushService.answer("late-laptop", 413);
    node.jdbi.useTransaction(handle -> PushOutbox.enqueue(node.outbox, handle, "reminder", shop9.id(), shop9.agentId(),
        AgentPushes.appointmentReminder("appt-big", Instant.now().plusSeconds(600), Instant.now()),
        Instant.now().plusSeconds(600), "push:reminder:appt-big"));
    node.deliveryWorkers.nudge();
    await().atMost(Duration.ofSeconds(20)).until(() -> statuses(shop9.id()).contains("dead"));

    pushService.answer("late-laptop", 410);
    node.jdbi.useTransaction(handle -> PushOutbox.enqueue(node.outbox, handle, "reminder", shop9.id(), shop9.agentId(),
        AgentPushes.appointmentReminder("appt-gone", Instant.now().plusSeconds(600), Instant.now()),
        Instant.now().plusSeconds(600), "push:reminder:appt-gone"));
    node.deliveryWorkers.nudge();
    await().atMost(Duration.ofSeconds(20)).until(() -> statuses(shop9.id()).size() == 3
        && statuses(shop9.id()).get(2).equals("gone"));

    assertThat(statuses(shop9.id())).containsExactly("gone", "dead", "gone");
    assertThat(pushService.receivedAt("late-laptop")).as("the late one was never sent").hasSize(2)
        .allSatisfy(push -> assertThat(push.problems()).isEmpty());
    assertThat(platform.api.call("GET", "/api/v1/me/push-subscriptions").bearer(shop9.agentToken()).send().json())
        .as("the 410 removed %s", late).isEmpty();
    // The same cause queued again is ignored (dedup per cause and browser); and with no browser left, nothing is queued.
    int again = node.jdbi.inTransaction(handle -> PushOutbox.enqueue(node.outbox, handle, "reminder", shop9.id(),
        shop9.agentId(), AgentPushes.appointmentReminder("appt-gone", Instant.now().plusSeconds(600), Instant.now()),
        Instant.now().plusSeconds(600), "push:reminder:appt-gone"));
    assertThat(again).isZero();
  }

  private List<String> statuses(String tenantId) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT status FROM outbox WHERE tenant_id = :t AND kind = 'push' ORDER BY id")
        .bind("t", tenantId).mapTo(String.class).list());
  }

  @Test
  @Order(10)
  void nodesRacingToMakeTheVapidKeysAllEndUpWithTheSameOne() throws Exception {
    var jdbi = platform.node.platform().jdbi;
    jdbi.useHandle(handle -> handle.execute("DELETE FROM push_vapid_keys"));
    ExecutorService nodes = Executors.newFixedThreadPool(6);
    try {
      List<Callable<String>> starts = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        starts.add(() -> VapidKeys.loadOrCreate(jdbi, java.time.Clock.systemUTC()).publicKeyBase64Url());
      }
      Set<String> keys = new java.util.HashSet<>();
      for (Future<String> key : nodes.invokeAll(starts)) keys.add(key.get(30, TimeUnit.SECONDS));
      assertThat(keys).hasSize(1);
      int rows = jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM push_vapid_keys")
          .mapTo(Integer.class).one());
      assertThat(rows).isEqualTo(1);
      assertThat(VapidKeys.loadOrCreate(jdbi, java.time.Clock.systemUTC()).publicKeyBase64Url())
          .isEqualTo(keys.iterator().next());
    } finally {
      nodes.shutdownNow();
    }
  }

  private List<String> recipients(String userId) {
    return platform.node.platform().jdbi.withHandle(handle -> {
      try {
        return PushSubscriptions.recipients(handle.getConnection(), userId);
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static void assertRefused(ApiClient.Reply reply, int status, String code, String fieldCodeOrField) {
    assertThat(reply.status()).as("%s", reply).isEqualTo(status);
    assertThat(reply.contentType()).isEqualTo("application/problem+json");
    assertThat(reply.code()).as("%s", reply).isEqualTo(code);
    if (fieldCodeOrField != null) assertThat(reply.body()).contains(fieldCodeOrField);
  }
}
