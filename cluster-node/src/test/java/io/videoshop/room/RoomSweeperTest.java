package io.videoshop.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.MovableClock;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestCalls;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A call whose node went away while it ran: on a node started on the same database, the sweeper
 * wakes the room and it ends itself at its last sign of life plus the grace, billing no minute
 * for the time nobody was there.
 */
class RoomSweeperTest {
  private static final String ORIGIN = "https://shop.test";

  @Test
  void aCallLeftRunningByAStoppedNodeIsEndedByTheSweeperWithoutMissedMinutes() throws Exception {
    TestDatabase database = TestDatabase.postgres();
    TestPlatform first = new TestPlatform(database);
    String roomId;
    try {
      TestPlatform.TestTenant tenant = first.tenant("sweep");
      String key = TestCalls.widgetKey(first.api, tenant, ORIGIN);
      int port = first.node.httpPort();
      TestCalls.Assigned call = TestCalls.assign(port, key, ORIGIN, tenant.agentToken(), Map.of("type", "join", "name", "Ada"));
      roomId = call.roomId();
      String agentToken = call.agentRoomToken();
      String shopperToken = call.shopperRoomToken();
      SocketClient agent = SocketClient.room(port, agentToken);
      SocketClient shopper = SocketClient.room(port, shopperToken);
      agent.next("call-started");
      shopper.next("call-started");
      String id = roomId;
      await().atMost(Duration.ofSeconds(30)).until(() -> "in-call".equals(status(first, id)));
      // The node goes away with the call running (its sockets die with it).
      first.node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      agent.close();
      shopper.close();
    } catch (Exception | AssertionError e) {
      first.close();
      throw e;
    }

    try (TestPlatform second = new TestPlatform(database, "videoshop.calls.reconnect-grace = 2s")) {
      String id = roomId;
      assertThat(status(second, id)).as("nothing touched the room yet").isEqualTo("in-call");
      // The sweep as it runs once the call has been silent for minutes (its clock moved on);
      // the room itself judges by the real time: gone longer than its 2 s grace.
      MovableClock later = new MovableClock(Instant.now().plus(Duration.ofMinutes(5)));
      RoomSweeper sweeper = new RoomSweeper(second.node.system(), second.node.platform().jdbi, later,
          Duration.ofSeconds(2));
      await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(startedAt(second, id).plusSeconds(3)));
      assertThat(sweeper.sweep()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> "ended".equals(status(second, id)));
      Map<String, Object> call = second.node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT end_reason, minutes, duration_seconds FROM calls WHERE room_id = :id").bind("id", id).mapToMap().one());
      assertThat(call.get("end_reason")).isEqualTo("participant-lost");
      assertThat(((Number) call.get("minutes")).longValue()).as("no minute billed after it was lost").isEqualTo(1);
      assertThat(((Number) call.get("duration_seconds")).longValue()).isLessThan(60);
      assertThat(new RoomSweeper(second.node.system(), second.node.platform().jdbi, later, Duration.ofSeconds(2))
          .sweep()).as("an ended call is not woken again").isZero();
    }
  }

  private static String status(TestPlatform platform, String roomId) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT status FROM calls WHERE room_id = :id").bind("id", roomId).mapTo(String.class).findOne().orElse(null));
  }

  private static Instant startedAt(TestPlatform platform, String roomId) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT started_at FROM calls WHERE room_id = :id").bind("id", roomId).mapTo(Instant.class).one());
  }
}
