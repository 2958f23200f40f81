package io.videoshop.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The admin dashboard's live figures ({@code /ws/live}): counts from the queue's subscription,
 * pushed as the queue changes, nothing personal; for the tenant's owner and admins only.
 */
class LiveFiguresTest {
  private static final String ORIGIN = "https://shop.test";

  @Test
  void figuresCountWaitingShoppersAgentsByPresenceAndCallsWithoutNames() {
    Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
    QueueView view = new QueueView("t", t0.plusSeconds(90), true, null, false, null,
        List.of(ticket("a", 1, t0), ticket("b", 2, t0.plusSeconds(30))),
        List.of(agent("ann", Presence.AVAILABLE, null, null), agent("bob", Presence.BUSY, t0, "room-1"),
            agent("cy", Presence.AWAY, null, null), agent("dee", Presence.AVAILABLE, t0, null)),
        List.of());
    var figures = LiveFigures.of(view, null);
    assertThat(figures.waiting()).isEqualTo(2);
    assertThat(figures.longestWaitingSince()).isEqualTo(t0);
    assertThat(figures.agents()).containsExactlyInAnyOrderEntriesOf(
        Map.of("available", 1, "busy", 1, "away", 1, "offline", 1)); // dee's console dropped
    assertThat(figures.callsInProgress()).isEqualTo(1);
    assertThat(LiveFigures.sameFigures(figures, LiveFigures.of(new QueueView("t", t0.plusSeconds(95), true, null,
        false, null, view.tickets(), view.agents(), view.reservations()), null))).as("only the time moved").isTrue();
  }

  @Test
  void anOwnerSeesTheQueueMoveLiveAndAnAgentIsRefused() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres())) {
      TestPlatform.TestTenant tenant = platform.tenant("live-figures");
      int port = platform.node.httpPort();
      String key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys")
          .bearer(tenant.adminToken()).body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send()
          .json().get("publicKey").asText();
      try (SocketClient live = SocketClient.live(port, tenant.ownerToken())) {
        assertThat(live.next("hello").get("role").asText()).isEqualTo("live");
        JsonNode first = live.next("figures");
        assertThat(first.get("waiting").asInt()).isZero();
        assertThat(first.hasNonNull("longestWaitingSince")).isFalse();

        try (SocketClient shopper = SocketClient.widget(port, key, ORIGIN);
            SocketClient console = SocketClient.agent(port, tenant.agentToken())) {
          shopper.send(Map.of("type", "join", "name", "Ada Lovelace", "email", "ada@example.com"));
          shopper.next("queued");
          JsonNode waiting = live.next(m -> "figures".equals(m.path("type").asText()) && m.get("waiting").asInt() == 1,
              "one shopper waiting");
          assertThat(waiting.get("longestWaitingSince").asText()).isNotEmpty();
          assertThat(waiting.toString()).as("nothing personal").doesNotContain("Ada").doesNotContain("ada@");

          console.send(Map.of("type", "presence", "presence", "available"));
          console.send(Map.of("type", "accept", "reservationId", console.next("reservation").get("reservationId").asText()));
          console.next("assigned");
          JsonNode inCall = live.next(m -> "figures".equals(m.path("type").asText()) && m.get("callsInProgress").asInt() == 1,
              "the call in progress");
          assertThat(inCall.get("waiting").asInt()).isZero();
          assertThat(inCall.at("/agents/busy").asInt()).isEqualTo(1);
          assertThat(inCall.at("/today/date").asText()).as("today's totals from the reports").isNotEmpty();
          assertThat(inCall.at("/today/serviceLevelSeconds").asInt()).isPositive();
        }

        live.send(Map.of("type", "presence", "presence", "available"));
        assertThat(live.next("error").get("code").asText()).isEqualTo("read_only");
      }

      assertThat(SocketClient.refusedStatus("ws://127.0.0.1:" + port + "/ws/live?ticket="
          + SocketClient.agentTicket(port, tenant.agentToken()), null)).as("an agent may not open the live figures")
          .isEqualTo(403);
    }
  }

  private static QueueView.WaitingTicket ticket(String id, int position, Instant joinedAt) {
    return new QueueView.WaitingTicket(id, position, null, joinedAt, true, null, null);
  }

  private static Agent agent(String id, Presence presence, Instant disconnectedAt, String roomId) {
    return new Agent(id, presence, Instant.EPOCH, Set.of(), Set.of(), disconnectedAt, roomId);
  }
}
