package io.videoshop.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the queue entity stops (here: passivated when idle), the sockets' feed subscribes again. */
class QueueResubscribeTest {

  @Test
  void socketsKeepGettingUpdatesAfterTheEntityPassivatesAndRestarts() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.h2InMemory(),
        "pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = 2s")) {
      TestPlatform.TestTenant tenant = platform.tenant("passive");
      String key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys")
          .bearer(tenant.adminToken()).body(Map.of("name", "store", "allowedOrigins", List.of("https://p.test")))
          .send().json().get("publicKey").asText();
      try (SocketClient console = SocketClient.agent(platform.node.httpPort(), tenant.agentToken())) {
        JsonNode first = console.next("queue");
        // Nothing happens for longer than the idle timeout: the entity passivates, the feed sees it
        // stop and subscribes again, which starts the entity and sends a fresh snapshot.
        JsonNode again = console.next(message -> message.path("type").asText().equals("queue")
            && !message.get("at").asText().equals(first.get("at").asText()), "a snapshot after the restart");
        assertThat(again.get("tickets")).isEmpty();
        try (SocketClient shopper = SocketClient.widget(platform.node.httpPort(), key, "https://p.test")) {
          shopper.send(Map.of("type", "join", "name", "Late"));
          shopper.next("queued");
          console.next(message -> message.path("type").asText().equals("queue") && message.get("tickets").size() == 1,
              "the join seen through the new subscription");
        }
      }
    }
  }
}
