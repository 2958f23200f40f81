package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.WebhookSettings;
import io.videoshop.node.MovableClock;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The delivery log on PostgreSQL against a local receiver, on a movable clock set a year ahead, so
 * the node's own workers (on the real clock) find none of these messages due.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveriesTest {
  private TestDatabase database;
  private TestPlatform platform;
  private String tenantId;
  private HttpServer receiver;
  private Jdbi jdbi;
  private PersonalDataVault vault;

  private record Received(String path, String webhookId, String body) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  /** Per path, the statuses to answer in turn (then 200); a status with a Retry-After as "429:120". */
  private final Map<String, ConcurrentLinkedDeque<String>> script = new ConcurrentHashMap<>();

  @BeforeAll
  void start() throws IOException {
    database = TestDatabase.postgres();
    platform = new TestPlatform(database);
    tenantId = platform.tenant("whd-" + UUID.randomUUID().toString().substring(0, 8)).id();
    jdbi = platform.node.platform().jdbi;
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(database.settings().url());
    dataSource.setUser(database.settings().user());
    dataSource.setPassword(database.settings().password());
    vault = io.videoshop.persistence.SharedDatabase.get(platform.node.system()).personalDataVault(); // the node's keys
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      received.add(new Received(path, exchange.getRequestHeaders().getFirst("webhook-id"),
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      String next = script.getOrDefault(path, new ConcurrentLinkedDeque<>()).poll();
      String[] parts = (next == null ? "200" : next).split(":");
      if (parts.length > 1) exchange.getResponseHeaders().add("Retry-After", parts[1]);
      byte[] body = ("answer " + parts[0]).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(Integer.parseInt(parts[0]), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    receiver.start();
  }

  @AfterAll
  void stop() throws Exception {
    if (receiver != null) receiver.stop(0);
    if (platform != null) platform.close();
    if (database != null) database.close();
  }

  private record Setup(MovableClock clock, WebhookEndpoints endpoints, WebhookDeliveries deliveries) {}

  private Setup setup() {
    MovableClock clock = new MovableClock(Instant.parse("2027-03-01T10:00:00Z"));
    WebhookEndpoints endpoints = new WebhookEndpoints(jdbi, vault, new AuditLog(jdbi, clock),
        new WebhookSettings(List.of("127.0.0.1"), Duration.ofSeconds(15), Duration.ofDays(30), 20, 4), clock);
    WebhookSender sender = new WebhookSender(platform.node.system(), new AddressGuard(List.of("127.0.0.1")), Duration.ofSeconds(15), clock);
    return new Setup(clock, endpoints,
        new WebhookDeliveries(jdbi, vault, sender, platform.node.platform().mails, new AuditLog(jdbi, clock), clock,
            new Random(1), Duration.ofMinutes(1), io.videoshop.notification.Outbox.Dialect.POSTGRES, 4));
  }

  private String endpoint(Setup setup, String path) {
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    return setup.endpoints().create(Caller.system("test"), tenantId,
        new WebhookEndpoints.EndpointRequest(url, null, null, null, null)).endpoint().id();
  }

  private static String unique(String name) {
    return "/" + name + "-" + UUID.randomUUID();
  }

  private List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  @Test
  void failedAttemptsFollowTheScheduleOnTheClockUnderOneWebhookId() {
    Setup setup = setup();
    String path = unique("flaky");
    script.put(path, new ConcurrentLinkedDeque<>(List.of("500", "502", "500")));
    String endpointId = endpoint(setup, path);
    String id = setup.deliveries().enqueue(tenantId, endpointId, "ping", "{\"type\":\"ping\"}");

    setup.deliveries().deliverDue("node-1", 1000);
    assertThat(at(path)).hasSize(1);
    Duration[] waits = {Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30)};
    for (Duration wait : waits) {
      setup.clock().advance(wait.minusMillis(1));
      setup.deliveries().deliverDue("node-1", 1000);
      int before = at(path).size();
      assertThat(before).as("not before %s", wait).isEqualTo(List.of(waits).indexOf(wait) + 1);
      setup.clock().advance(Duration.ofMillis(wait.toMillis() / 10 + 2));
      setup.deliveries().deliverDue("node-1", 1000);
      assertThat(at(path)).as("within 10 %% after %s", wait).hasSize(before + 1);
    }
    assertThat(at(path)).extracting(Received::webhookId).containsOnly(id);
    assertThat(setup.deliveries().messages(endpointId, 10)).singleElement()
        .satisfies(m -> assertThat(m.status()).isEqualTo("delivered"));
    assertThat(setup.deliveries().attempts(id)).extracting(WebhookDeliveries.Attempt::httpStatus)
        .containsExactly(500, 502, 500, 200);
    assertThat(setup.deliveries().attempts(id).get(3).response()).isEqualTo("answer 200");
  }

  @Test
  void aFailingMessageHoldsBackLaterOnesOfItsEndpointOnly() {
    Setup setup = setup();
    String slow = unique("held");
    String fine = unique("fine");
    script.put(slow, new ConcurrentLinkedDeque<>(List.of("500")));
    String held = endpoint(setup, slow);
    String other = endpoint(setup, fine);
    String first = setup.deliveries().enqueue(tenantId, held, "ping", "{\"n\":1}");
    String second = setup.deliveries().enqueue(tenantId, held, "ping", "{\"n\":2}");
    String elsewhere = setup.deliveries().enqueue(tenantId, other, "ping", "{\"n\":3}");

    setup.deliveries().deliverDue("node-1", 1000);
    setup.deliveries().deliverDue("node-1", 1000);
    assertThat(at(slow)).extracting(Received::webhookId).containsExactly(first);
    assertThat(at(fine)).extracting(Received::webhookId).containsExactly(elsewhere);

    setup.clock().advance(Duration.ofSeconds(6));
    setup.deliveries().deliverDue("node-1", 1000);
    setup.deliveries().deliverDue("node-1", 1000);
    assertThat(at(slow)).extracting(Received::webhookId).containsExactly(first, first, second);
  }

  @Test
  void goneDisablesTheEndpointAndTheMessageWaitsForItToBeEnabledAgain() {
    Setup setup = setup();
    String path = unique("gone");
    script.put(path, new ConcurrentLinkedDeque<>(List.of("410")));
    String endpointId = endpoint(setup, path);
    String id = setup.deliveries().enqueue(tenantId, endpointId, "ping", "{}");
    setup.deliveries().deliverDue("node-1", 1000);
    WebhookEndpoints.Endpoint disabled = setup.endpoints().get(tenantId, endpointId);
    assertThat(disabled.enabled()).isFalse();
    assertThat(disabled.disabledReason()).contains("410");
    setup.clock().advance(Duration.ofHours(1));
    assertThat(setup.deliveries().deliverDue("node-1", 1000)).as("nothing for a disabled endpoint").isZero();
    assertThat(setup.deliveries().messages(endpointId, 10).get(0).status()).isEqualTo("pending");

    setup.endpoints().replace(Caller.system("test"), tenantId, endpointId,
        new WebhookEndpoints.EndpointRequest(disabled.url(), null, null, true, null));
    setup.deliveries().deliverDue("node-1", 1000);
    assertThat(setup.deliveries().messages(endpointId, 10).get(0).status()).isEqualTo("delivered");
    assertThat(at(path)).extracting(Received::webhookId).containsExactly(id, id);
  }

  @Test
  void retryAfterIsHonouredAndAfterEightAttemptsTheMessageIsFailed() {
    Setup setup = setup();
    String path = unique("busy");
    script.put(path, new ConcurrentLinkedDeque<>(List.of("429:120", "500", "500", "500", "500", "500", "500", "500",
        "500")));
    String endpointId = endpoint(setup, path);
    String id = setup.deliveries().enqueue(tenantId, endpointId, "ping", "{}");
    setup.deliveries().deliverDue("node-1", 1000);
    setup.clock().advance(Duration.ofSeconds(119));
    setup.deliveries().deliverDue("node-1", 1000);
    assertThat(at(path)).as("Retry-After 120 s beats the 5 s step").hasSize(1);
    setup.clock().advance(Duration.ofSeconds(1));
    setup.deliveries().deliverDue("node-1", 1000);
    assertThat(at(path)).hasSize(2);
    for (int i = 0; i < 10; i++) {
      setup.clock().advance(Duration.ofHours(11));
      setup.deliveries().deliverDue("node-1", 1000);
    }
    assertThat(at(path)).as("eight attempts in all").hasSize(8);
    assertThat(setup.deliveries().messages(endpointId, 10).get(0).status()).isEqualTo("failed");
    assertThat(setup.deliveries().attempts(id)).hasSize(8);

    setup.clock().advance(Duration.ofDays(31));
    assertThat(setup.deliveries().purgeFinished(setup.clock().instant().minus(Duration.ofDays(30))))
        .isGreaterThanOrEqualTo(1);
    assertThat(setup.deliveries().messages(endpointId, 10)).isEmpty();
    assertThat(setup.deliveries().attempts(id)).isEmpty();
  }

  @Test
  void aMessageLeasedByOneNodeIsNotTakenByAnotherUntilTheLeaseExpires() {
    Setup setup = setup();
    String path = unique("leased");
    String endpointId = endpoint(setup, path);
    String id = setup.deliveries().enqueue(tenantId, endpointId, "ping", "{}");
    // node-1 claims it and dies before its attempt: simulated by taking the lease directly.
    jdbi.useHandle(handle -> handle.createUpdate("""
            UPDATE webhook_messages SET lease_owner = 'node-1', lease_until = :until, attempts = 1 WHERE id = :id""")
        .bind("until", setup.clock().instant().plus(Duration.ofMinutes(1))).bind("id", id).execute());
    assertThat(setup.deliveries().deliverDue("node-2", 1000)).isZero();
    setup.clock().advance(Duration.ofMinutes(1));
    assertThat(setup.deliveries().deliverDue("node-2", 1000)).isEqualTo(1);
    assertThat(at(path)).extracting(Received::webhookId).containsExactly(id);
  }

  @Test
  void anEndpointFailingForFiveDaysIsDisabledAndItsOwnersAreMailedOnce() {
    Setup setup = setup();
    String path = unique("down");
    script.put(path, new ConcurrentLinkedDeque<>(java.util.Collections.nCopies(20, "500")));
    String endpointId = endpoint(setup, path);
    setup.deliveries().enqueue(tenantId, endpointId, "ping", "{}");
    setup.deliveries().deliverDue("node-1", 1000); // fails first now
    setup.clock().advance(Duration.ofDays(4));
    setup.deliveries().deliverDue("node-1", 1000);
    assertThat(setup.endpoints().get(tenantId, endpointId).enabled()).as("four days: still on").isTrue();
    setup.clock().advance(Duration.ofDays(1));
    setup.deliveries().enqueue(tenantId, endpointId, "ping", "{}"); // waits behind the failing head
    setup.deliveries().deliverDue("node-1", 1000);
    WebhookEndpoints.Endpoint disabled = setup.endpoints().get(tenantId, endpointId);
    assertThat(disabled.enabled()).as("five days failing").isFalse();
    assertThat(disabled.disabledReason()).contains("5 days");
    assertThat(at(path)).hasSize(3);
    assertThat(setup.deliveries().messages(endpointId, 10)).extracting(WebhookDeliveries.Message::status)
        .containsOnly("pending");
    List<String> mails = jdbi.withHandle(handle -> handle.createQuery(
            "SELECT dedup_key FROM outbox WHERE topic = 'webhook_disabled' AND dedup_key LIKE :key")
        .bind("key", "webhook_disabled:" + endpointId + ":%").mapTo(String.class).list());
    assertThat(mails).as("one mail to the tenant's one owner").hasSize(1);
  }

  @Test
  void aDeliveryBetweenFailuresStartsTheFiveDaysAgain() {
    Setup setup = setup();
    String path = unique("flapping");
    script.put(path, new ConcurrentLinkedDeque<>(List.of("500", "200", "500")));
    String endpointId = endpoint(setup, path);
    setup.deliveries().enqueue(tenantId, endpointId, "ping", "{}");
    setup.deliveries().deliverDue("node-1", 1000); // 500
    setup.clock().advance(Duration.ofDays(3));
    setup.deliveries().deliverDue("node-1", 1000); // 200
    setup.deliveries().enqueue(tenantId, endpointId, "ping", "{}");
    setup.clock().advance(Duration.ofDays(3));
    setup.deliveries().deliverDue("node-1", 1000); // 500, six days after the first failure
    assertThat(at(path)).hasSize(3);
    assertThat(setup.endpoints().get(tenantId, endpointId).enabled()).isTrue();
  }
}
