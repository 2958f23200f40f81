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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Sockets on two nodes of one cluster for the same tenant: the queue entity lives on one of them,
 * so at least one socket talks to it across nodes. Then the whole cluster restarts on the same
 * database and a shopper resumes their place.
 */
class QueueAcrossNodesTest {
  private static final String ORIGIN = "https://shop.test";

  @Test
  void socketsOnEitherNodeShareTheQueueAndShoppersResumeAfterARestart() throws Exception {
    JsonNode waiting;
    try (TestPlatform first = new TestPlatform(TestDatabase.postgres())) {
      int seedPort = first.node.system().address().getPort().get();
      VideoShopNode second = TestNodes.start(first.database,
          "videoshop.cluster.seed-nodes = \"127.0.0.1:" + seedPort + "\"",
          "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"");
      try {
        await().atMost(Duration.ofSeconds(30)).until(() ->
            Cluster.get(first.node.system()).state().members().size() == 2
                && Cluster.get(second.system()).selfMember().status() == MemberStatus.up());
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
      } finally {
        second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      first.node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);

      VideoShopNode restarted = TestNodes.start(first.database);
      try {
        String tenantId = restarted.platform().tenants.list(10, 0).stream()
            .filter(t -> t.slug().equals("across")).findFirst().orElseThrow().id();
        String key = restarted.platform().widgetKeys.list(tenantId).get(0).publicKey();
        try (SocketClient back = SocketClient.widget(restarted.httpPort(), key, ORIGIN)) {
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
}
