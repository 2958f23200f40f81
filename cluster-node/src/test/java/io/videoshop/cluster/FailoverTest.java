package io.videoshop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.queue.QueueView;
import io.videoshop.queue.TenantQueue;
import io.videoshop.room.CallRoom;
import io.videoshop.wallet.Wallet;
import io.videoshop.wallet.WalletView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Three nodes on one PostgreSQL; shoppers wait in queues spread over all three, a call runs; one
 * node dies without leaving (no coordinated shutdown, no goodbye to the cluster). The survivors
 * down it, take over its shards and recover them from the journal: every ticket is still there in
 * order, shoppers whose socket died resume on a survivor and keep their place, the call's record
 * and its minutes survive, and each of its minutes is debited from the wallet exactly once.
 */
class FailoverTest {
  private static final String ORIGIN = "https://shop.test";
  private static final String SECRET = "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"";
  /** As in production (cluster.conf), set here so a change there does not slow this test down. */
  private static final String FAST_DOWNING = "pekko.cluster.split-brain-resolver.stable-after = 4s";
  private static final String CRASHABLE = """
      # All 24 shoppers connect and join from 127.0.0.1, and both per-address caps (20 sockets,
      # 10 joins a minute) hold over the cluster.
      videoshop.widget.max-connections-per-address = 100
      videoshop.widget.joins-per-address-per-minute = 100
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.cluster.run-coordinated-shutdown-when-down = off
      """;
  private static final int TENANTS = 12;

  private record Waiting(String tenantId, String key, int homeNode, String ticketId, String resumeToken) {}

  @Test
  void aNodeKilledHardLosesNoShopperNoPlaceAndNoCallMinute() throws Exception {
    try (TestPlatform seed = new TestPlatform(TestDatabase.postgres(), FAST_DOWNING, CRASHABLE)) {
      String seedNode = "videoshop.cluster.seed-nodes = \"127.0.0.1:" + seed.node.system().address().getPort().get() + "\"";
      List<VideoShopNode> nodes = new ArrayList<>(List.of(seed.node,
          TestNodes.start(seed.database, seedNode, SECRET, FAST_DOWNING, CRASHABLE),
          TestNodes.start(seed.database, seedNode, SECRET, FAST_DOWNING, CRASHABLE)));
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(node ->
            Cluster.get(node.system()).state().members().size() == 3
                && Cluster.get(node.system()).selfMember().status() == MemberStatus.up()));

        // Two waiting shoppers per tenant, each tenant's sockets on one of the nodes.
        List<Waiting> waiting = new ArrayList<>();
        Map<String, List<String>> orderBefore = new HashMap<>();
        List<SocketClient> sockets = new ArrayList<>();
        for (int t = 0; t < TENANTS; t++) {
          TestPlatform.TestTenant tenant = seed.tenant("failover-" + t);
          String key = seed.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
              .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
          int home = t % 3;
          for (int s = 0; s < 2; s++) {
            SocketClient socket = SocketClient.widget(nodes.get(home).httpPort(), key, ORIGIN);
            sockets.add(socket);
            socket.send(Map.of("type", "join", "name", "Shopper " + t + "-" + s));
            JsonNode queued = socket.next("queued");
            waiting.add(new Waiting(tenant.id(), key, home, queued.get("ticketId").asText(),
                queued.get("resumeToken").asText()));
            orderBefore.computeIfAbsent(tenant.id(), id -> new ArrayList<>()).add(queued.get("ticketId").asText());
          }
        }

        // A call in progress, between a shopper and an agent of the first tenant.
        TestPlatform.TestTenant callTenant = seed.tenant("failover-call");
        String callKey = seed.api.call("POST", "/api/v1/tenants/" + callTenant.id() + "/widget-keys")
            .bearer(callTenant.adminToken()).body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN)))
            .send().json().get("publicKey").asText();
        SocketClient callShopper = SocketClient.widget(nodes.get(1).httpPort(), callKey, ORIGIN);
        SocketClient console = SocketClient.agent(nodes.get(2).httpPort(), callTenant.agentToken());
        sockets.add(callShopper);
        sockets.add(console);
        callShopper.send(Map.of("type", "join", "name", "Caller"));
        callShopper.next("queued");
        console.send(Map.of("type", "presence", "presence", "available"));
        console.send(Map.of("type", "accept", "reservationId", console.next("reservation").get("reservationId").asText()));
        JsonNode agentAssigned = console.next("assigned");
        JsonNode shopperAssigned = callShopper.next("assigned");
        String roomId = agentAssigned.get("roomId").asText();
        SocketClient agentInRoom = SocketClient.room(nodes.get(0).httpPort(), agentAssigned.get("roomToken").asText());
        SocketClient shopperInRoom = SocketClient.room(nodes.get(1).httpPort(), shopperAssigned.get("roomToken").asText());
        sockets.add(agentInRoom);
        sockets.add(shopperInRoom);
        shopperInRoom.next("call-started");
        shopperInRoom.next("minute");

        // The victim: the node hosting the most tenant queues; every node hosts some.
        Map<Integer, Set<String>> hosted = new HashMap<>();
        for (int n = 0; n < 3; n++) hosted.put(n, entitiesOn(nodes.get(n).system(), TenantQueue.ENTITY_KEY.name()));
        hosted.values().forEach(ids -> assertThat(ids).as("queues live on every node: %s", hosted).isNotEmpty());
        int victim = hosted.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> a.size() - b.size()))
            .orElseThrow().getKey();
        assertThat(victim).as("the seed node keeps the test's admin client").isNotNull();
        int survivor = (victim + 1) % 3;
        VideoShopNode dead = nodes.get(victim);

        long killedAt = System.nanoTime();
        dead.system().terminate(); // no coordinated shutdown, no leaving: a crash as the others see it
        dead.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

        // A shopper whose socket was on the dead node comes back on a survivor and resumes.
        Waiting orphan = waiting.stream().filter(w -> w.homeNode() == victim).findFirst().orElseThrow();
        JsonNode resumed = null;
        long resumedAt = 0;
        List<String> meanwhile = new ArrayList<>(); // what the survivor answered before the queue was back
        while (resumed == null) {
          assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("resumed in time").isLessThan(Duration.ofSeconds(60));
          try (SocketClient again = SocketClient.widget(nodes.get(survivor).httpPort(), orphan.key(), ORIGIN)) {
            again.send(Map.of("type", "resume", "ticketId", orphan.ticketId(), "resumeToken", orphan.resumeToken()));
            JsonNode answer = again.next(m -> m.path("type").asText().matches("queued|error|refused"), "resume answer");
            if (answer.get("type").asText().equals("queued")) {
              resumed = answer;
              resumedAt = System.nanoTime();
            } else {
              meanwhile.add(answer.get("type").asText() + ":" + answer.path("code").asText());
            }
          }
        }
        Duration toFirstResume = Duration.ofNanos(resumedAt - killedAt);
        System.out.printf("Failover: kill -> first resumed operation on a survivor: %d ms%n", toFirstResume.toMillis());
        // While the queue moves the survivor says "unavailable" (the widget shows "Reconnecting…" and
        // asks again; widget.js), never a refusal or another error that would make it drop the place.
        assertThat(meanwhile).as("answers while the queue moved").isNotEmpty().allMatch("error:unavailable"::equals);
        assertThat(resumed.get("ticketId").asText()).isEqualTo(orphan.ticketId());
        assertThat(resumed.get("position").asInt())
            .isEqualTo(orderBefore.get(orphan.tenantId()).indexOf(orphan.ticketId()) + 1);

        // Every ticket of every tenant is still there, in the same order.
        ActorSystem<?> alive = nodes.get(survivor).system();
        for (Map.Entry<String, List<String>> tenant : orderBefore.entrySet()) {
          await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            QueueView view = ClusterSharding.get(alive).entityRefFor(TenantQueue.ENTITY_KEY, tenant.getKey())
                .<QueueView>ask(TenantQueue.GetQueue::new, Duration.ofSeconds(5)).toCompletableFuture().get();
            assertThat(view.tickets().stream().map(QueueView.WaitingTicket::ticketId).toList())
                .isEqualTo(tenant.getValue());
          });
        }

        // The call's record survived, with at least the minutes it had.
        CallRoom.CallRecord record = ClusterSharding.get(alive).entityRefFor(CallRoom.ENTITY_KEY, roomId)
            .<CallRoom.CallRecord>ask(CallRoom.GetRecord::new, Duration.ofSeconds(10)).toCompletableFuture().get();
        assertThat(record.state().room().tenantId()).isEqualTo(callTenant.id());
        assertThat(record.state().startedAt()).isNotNull();
        assertThat(record.state().minutesStarted()).isGreaterThanOrEqualTo(1);

        // Every minute the room recorded is debited from the wallet once, and the balance is its ledger.
        long minutes = record.state().minutesStarted();
        var wallets = nodes.get(survivor).platform().wallets;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          WalletView wallet = wallets.<WalletView>ask(callTenant.id(), Wallet.GetWallet::new).toCompletableFuture().get();
          assertThat((long) wallet.usage().minutes()).as("minutes debited").isEqualTo(minutes);
          List<Long> debited = nodes.get(survivor).platform().jdbi.withHandle(handle -> handle.createQuery(
                  "SELECT minute_index FROM ledger_entries WHERE tenant_id = :t AND room_id = :r ORDER BY minute_index")
              .bind("t", callTenant.id()).bind("r", roomId).mapTo(Long.class).list());
          assertThat(debited).as("each minute once").isEqualTo(java.util.stream.LongStream.range(0, minutes).boxed().toList());
          long ledgerSum = nodes.get(survivor).platform().jdbi.withHandle(handle -> handle.createQuery(
                  "SELECT COALESCE(SUM(CASE WHEN entry_type = 'credit' THEN amount ELSE -amount END), 0)"
                      + " FROM ledger_entries WHERE tenant_id = :t")
              .bind("t", callTenant.id()).mapTo(Long.class).one());
          assertThat(wallet.balance()).as("the balance is its ledger").isEqualTo(ledgerSum);
        });
        sockets.forEach(SocketClient::close);
      } finally {
        for (VideoShopNode node : nodes.subList(1, 3)) {
          if (!node.system().getWhenTerminated().toCompletableFuture().isDone()) {
            node.system().terminate();
            node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
          }
        }
      }
    }
  }

  /** The entity ids of a type that live on this node now. */
  static Set<String> entitiesOn(ActorSystem<?> system, String typeName) throws Exception {
    var type = typeName.equals(TenantQueue.ENTITY_KEY.name()) ? TenantQueue.ENTITY_KEY : CallRoom.ENTITY_KEY;
    ShardRegion.CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(type, replyTo),
            Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    Set<String> ids = new HashSet<>();
    state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }
}
