package io.videoshop.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.DatabasePool;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.tenant.BusinessHours;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * On one node with PostgreSQL: a join the queue refuses leaves no subject key and no event behind,
 * and a feed that crashes is restarted with its sockets, which keep hearing the queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedJoinAndFeedCrashTest {
  private static final String ORIGIN = "https://refused.test";
  private TestPlatform platform;
  private HikariDataSource database;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    database = DatabasePool.open(platform.database.settings(), "refused-join-test");
  }

  @AfterAll
  void stop() throws Exception {
    database.close();
    platform.close();
  }

  private String widgetKey(TestPlatform.TestTenant tenant) throws Exception {
    return platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
  }

  private long count(String sql, String parameter) throws Exception {
    try (Connection connection = database.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
      if (parameter != null) select.setString(1, parameter);
      try (ResultSet rows = select.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private long keys() throws Exception {
    return count("SELECT count(*) FROM personal_data_keys", null);
  }

  private long events(String tenantId) throws Exception {
    return count("SELECT count(*) FROM event_journal WHERE persistence_id = ?", "TenantQueue|" + tenantId);
  }

  private void tellQueue(String tenantId, java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<
      TenantQueue.Confirmation>, TenantQueue.Command> command) throws Exception {
    ActorSystem<Void> system = platform.node.system();
    EntityRef<TenantQueue.Command> queue = ClusterSharding.get(system).entityRefFor(TenantQueue.ENTITY_KEY, tenantId);
    assertThat(AskPattern.ask(queue, command::apply, Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().get()).isEqualTo(TenantQueue.Confirmed.INSTANCE);
  }

  /** The settings' push is a message to the queue: await its effect before counting what the queue wrote. */
  private void awaitQueue(String tenantId, java.util.function.Predicate<QueueView> condition) {
    var queue = ClusterSharding.get(platform.node.system()).entityRefFor(TenantQueue.ENTITY_KEY, tenantId);
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.test(
        queue.<QueueView>ask(TenantQueue.GetQueue::new, Duration.ofSeconds(5)).toCompletableFuture().get()));
  }

  private JsonNode join(String key, String name) throws Exception {
    try (SocketClient socket = SocketClient.widget(platform.node.httpPort(), key, ORIGIN)) {
      socket.send(Map.of("type", "join", "name", name, "email", name.toLowerCase() + "@shop.test"));
      return socket.next(m -> m.path("type").asText().matches("queued|refused|error"), "join answer");
    }
  }

  private void settings(TestPlatform.TestTenant tenant, int maxLength, Object hours) throws Exception {
    ApiClient.Reply saved = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/settings")
        .bearer(tenant.ownerToken()).body(Map.of("timeZone", "UTC", "currency", "EUR", "businessHours", hours,
            "queue", Map.of("maxLength", maxLength, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 5,
                "routingStrategy", "longest-idle"), "allowedOrigins", List.of()))
        .send();
    assertThat(saved.status()).as("%s", saved).isEqualTo(200);
  }

  @Test
  void aRefusedJoinLeavesNoKeyRowAndNoEvent() throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant("refused");
    String key = widgetKey(tenant);
    Object always = BusinessHours.always();
    Object closedToday = Map.of("weekly", Map.of(), "exceptions", List.of());
    try (SocketClient first = SocketClient.widget(platform.node.httpPort(), key, ORIGIN)) {
      settings(tenant, 1, always);
      first.send(Map.of("type", "join", "name", "First"));
      first.next("queued");
      // Full (the one place taken), then closed, then no funds; each set as its owner does.
      List<Map.Entry<String, Runnable>> refusals = List.of(
          Map.entry("queue_full", () -> { }),
          Map.entry("queue_closed", () -> call(() -> {
            settings(tenant, 10, closedToday);
            awaitQueue(tenant.id(), view -> !view.open());
          })),
          Map.entry("insufficient_funds", () -> call(() -> {
            settings(tenant, 10, always);
            awaitQueue(tenant.id(), view -> view.open() && view.settings().maxLength() == 10);
            tellQueue(tenant.id(), replyTo -> new TenantQueue.UpdateAdmission(
                new QueueAdmission(false, Refusal.INSUFFICIENT_FUNDS, null), replyTo));
          })));
      for (var refusal : refusals) {
        String code = refusal.getKey();
        refusal.getValue().run();
        long keysBefore = keys();
        long eventsBefore = events(tenant.id());
        JsonNode answer = join(key, "Refused");
        assertThat(answer.get("type").asText()).as("%s", answer).isEqualTo("refused");
        assertThat(answer.get("code").asText()).isEqualTo(code);
        // The key made for the join is discarded on the blocking pool right after the answer.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(keys()).as("no key row left by a %s join", code).isEqualTo(keysBefore));
        assertThat(events(tenant.id())).as("nothing persisted by a %s join", code).isEqualTo(eventsBefore);
      }
      tellQueue(tenant.id(), replyTo -> new TenantQueue.UpdateAdmission(QueueAdmission.ADMITTING, replyTo));
      long keysBefore = keys();
      assertThat(join(key, "Admitted").get("type").asText()).as("admitted again").isEqualTo("queued");
      assertThat(keys()).as("an admitted join keeps its key").isEqualTo(keysBefore + 1);
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void call(Step step) {
    try {
      step.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aTicketPastTheMaximumWaitIsLetGoAndReportedAsTimedOut() throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant("timing-out");
    String key = widgetKey(tenant);
    try (SocketClient shopper = SocketClient.widget(platform.node.httpPort(), key, ORIGIN)) {
      // The tenant's own maximum is at least 30 s: a second is set on the queue directly, once it
      // has heard its tenant's settings (else that push would undo it).
      awaitQueue(tenant.id(), view -> view.settings().hours() != null);
      QueueSettings tenants = ClusterSharding.get(platform.node.system())
          .entityRefFor(TenantQueue.ENTITY_KEY, tenant.id())
          .<QueueView>ask(TenantQueue.GetQueue::new, Duration.ofSeconds(5)).toCompletableFuture().get().settings();
      tellQueue(tenant.id(), replyTo -> new TenantQueue.UpdateSettings(tenants.withMaxWait(Duration.ofSeconds(1)),
          replyTo));
      shopper.send(Map.of("type", "join", "name", "Patient"));
      shopper.next("queued");
      assertThat(shopper.next("left").get("reason").asText()).isEqualTo("timed_out");
    }
    String today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Berlin")).toString();
    String path = "/api/v1/tenants/" + tenant.id() + "/reports/summary?from=" + today + "&to=" + today;
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode queue = platform.api.call("GET", path).bearer(tenant.ownerToken()).send().json().at("/total/queue");
      assertThat(queue.at("/abandonedBy/timedOutAtMaximumWait").asLong()).as("%s", queue).isEqualTo(1);
      assertThat(queue.at("/abandonedBy/disconnectedPastGrace").asLong()).isZero();
    });
  }

  @Test
  void aCrashedFeedIsRestartedAndItsSocketsKeepHearing() throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant("crashing");
    String key = widgetKey(tenant);
    try (SocketClient console = SocketClient.agent(platform.node.httpPort(), tenant.agentToken());
        SocketClient ahead = SocketClient.widget(platform.node.httpPort(), key, ORIGIN);
        SocketClient behind = SocketClient.widget(platform.node.httpPort(), key, ORIGIN)) {
      console.next("queue");
      ahead.send(Map.of("type", "join", "name", "Ahead"));
      ahead.next("queued");
      behind.send(Map.of("type", "join", "name", "Behind"));
      assertThat(behind.next("queued").get("position").asInt()).isEqualTo(2);
      console.next(m -> m.path("type").asText().equals("queue") && m.get("tickets").size() == 2, "both waiting");

      platform.node.system().classicSystem().actorSelection("/system/queue-feeds/feed-" + tenant.id() + "-*")
          .tell(new QueueFeed.Crash(), org.apache.pekko.actor.ActorRef.noSender());

      ahead.send(Map.of("type", "leave"));
      ahead.next("left");
      assertThat(behind.next("position").get("position").asInt()).as("the shopper behind hears the move").isEqualTo(1);
      console.next(m -> m.path("type").asText().equals("queue") && m.get("tickets").size() == 1
          && m.at("/tickets/0/name").asText().equals("Behind"), "the console hears the leave, with the name");
    }
  }
}
