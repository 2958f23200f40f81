package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.MovableClock;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent's console notice before an appointment when the agent's console is on one node and the
 * outbox row is delivered by another: two nodes of one cluster on PostgreSQL, each with a clock of
 * its own. Node B's clock stays before the row's due time, so only node A's workers can claim it;
 * the agent's console is connected to node B and gets the {@code appointment-soon} frame through
 * the cluster-wide topic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppointmentNoticeAcrossNodesTest {
  private static final String ORIGIN = "https://notice-nodes.example";

  private final MovableClock clockA = new MovableClock(Instant.now());
  private final MovableClock clockB = new MovableClock(Instant.now());
  private TestPlatform a;
  private VideoShopNode b;

  @BeforeAll
  void start() {
    a = new TestPlatform(TestDatabase.postgres(), clockA, "videoshop.notifications.outbox.poll-interval = 200ms");
    int seedPort = a.node.system().address().getPort().get();
    b = TestNodes.start(a.database, clockB, "videoshop.cluster.seed-nodes = \"127.0.0.1:" + seedPort + "\"",
        "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"",
        "videoshop.notifications.outbox.poll-interval = 200ms");
    await().atMost(Duration.ofSeconds(60)).until(() ->
        Cluster.get(a.node.system()).state().members().size() == 2
            && Cluster.get(b.system()).selfMember().status() == MemberStatus.up());
  }

  @AfterAll
  void stop() throws Exception {
    if (b != null) b.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (a != null) a.close();
  }

  @Test
  void theNoticeDeliveredByOneNodeReachesTheAgentsConsoleOnTheOther() throws Exception {
    TestPlatform.TestTenant tenant = a.tenant("notice-nodes");
    String key = a.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
    Map<String, Object> policy = new LinkedHashMap<>(Map.of("slotMinutes", 5, "intervalMinutes", 5,
        "bufferBeforeMinutes", 0, "bufferAfterMinutes", 0, "minNoticeMinutes", 0, "horizonDays", 30,
        "maxPerAgentPerDay", 50, "changeNoticeMinutes", 0, "agentReminderMinutes", 10));
    policy.put("reminderMinutes", List.of());
    ApiClient.Reply set = a.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/booking-policy")
        .bearer(tenant.adminToken()).body(policy).send();
    assertThat(set.status()).as("%s", set).isEqualTo(200);
    assertThat(a.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + tenant.agentId() + "/working-hours")
        .bearer(tenant.agentToken()).body(Map.of("takesBookings", true)).send().status()).isEqualTo(200);

    // A booking 15 to 20 minutes ahead: its console notice is due 10 minutes before, after both clocks' now.
    long fiveMinutes = Duration.ofMinutes(5).toSeconds();
    Instant start = Instant.ofEpochSecond((clockA.instant().getEpochSecond() / fiveMinutes + 1) * fiveMinutes)
        .plus(Duration.ofMinutes(15));
    ApiClient.Reply booked = a.api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", key)
        .header("Origin", ORIGIN).body(Map.of("start", start.toString(), "name", "Nina Nodes",
            "email", "nina@buyer.test", "consent", true)).send();
    assertThat(booked.status()).as("%s", booked).isEqualTo(201);
    String bookingId = booked.json().get("bookingId").asText();
    Instant due = start.minus(Duration.ofMinutes(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> notice(tenant.id()) != null);
    assertThat(((java.sql.Timestamp) notice(tenant.id()).get("due_at")).toInstant()).isEqualTo(due);
    assertThat(clockB.instant()).as("node B cannot claim it").isBefore(due);

    try (SocketClient console = SocketClient.agent(b.httpPort(), tenant.agentToken())) {
      console.next("queue");
      // Node A's topic knows node B's (where the console's session subscribed) before anything is published.
      AppointmentNotices onA = AppointmentNotices.get(a.node.system());
      await().atMost(Duration.ofSeconds(30)).until(() ->
          onA.stats(a.node.system()).toCompletableFuture().get().topicInstanceCount() >= 1
              && AppointmentNotices.get(b.system()).stats(b.system()).toCompletableFuture().get()
                  .localSubscriberCount() >= 1);

      clockA.set(due.plusSeconds(1));
      JsonNode frame = console.next("appointment-soon");
      assertThat(frame.get("bookingId").asText()).isEqualTo(bookingId);
      assertThat(Instant.parse(frame.get("startsAt").asText())).isEqualTo(start);
      await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(notice(tenant.id()).get("status")));
      assertThat(clockB.instant()).as("so node A delivered it").isBefore(due);
    }
  }

  private Map<String, Object> notice(String tenantId) {
    List<Map<String, Object>> rows = a.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT status, due_at FROM outbox WHERE tenant_id = :t AND kind = :k ORDER BY id")
        .bind("t", tenantId).bind("k", AppointmentNotices.KIND).mapToMap().list());
    return rows.isEmpty() ? null : rows.get(0);
  }
}
