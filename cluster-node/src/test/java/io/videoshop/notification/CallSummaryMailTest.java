package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.SocketClient;
import io.videoshop.node.TestCalls;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.simplejavamail.api.email.Email;

/**
 * A shopper who consented gets a summary of the call after it ends (the agent's name, the
 * products shown with their links), put together by the queue's and the room's projections; a
 * shopper who did not consent gets none. Over the real widget, agent and room sockets.
 */
class CallSummaryMailTest {
  private static final String ORIGIN = "https://shop.test";

  @Test
  void aConsentingShopperIsMailedTheCallSummaryOnce() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres())) {
      call(platform, platform.tenant("summary-yes"), "ada@shopper.test", true);
      call(platform, platform.tenant("summary-no"), "bob@shopper.test", false);

      await().atMost(Duration.ofSeconds(60)).until(() -> summaries(platform, "ada@shopper.test").size() == 1);
      Email mail = summaries(platform, "ada@shopper.test").get(0);
      assertThat(mail.getPlainText()).contains("agent of summary-yes")
          .contains("Trail runner: https://shop.test/p/38")
          .contains("Hiking socks: https://shop.test/p/socks");
      assertThat(mail.getHTMLText()).contains("href=\"https://shop.test/p/38\"").contains("href=\"https://shop.test/p/socks\"");
      assertThat(mail.getHeaders().get("List-Unsubscribe")).as("non-essential: unsubscribable").isNotEmpty();
      // Not twice, and nothing for the shopper who did not consent.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
          summaries(platform, "ada@shopper.test").size() == 1 && summaries(platform, "bob@shopper.test").isEmpty());
      List<String> keys = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT dedup_key FROM outbox WHERE topic = 'call_summary'").mapTo(String.class).list());
      assertThat(keys).singleElement().satisfies(key -> assertThat(key).startsWith("call-summary:"));
      // No personal data in plain text in the summaries' table.
      List<String> stored = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT email_ciphertext FROM call_summaries WHERE email_ciphertext IS NOT NULL").mapTo(String.class).list());
      assertThat(stored).singleElement().satisfies(value -> assertThat(value).doesNotContain("ada@"));
    }
  }

  /** One whole call: the shopper joins, the agent accepts, both enter the room, two products, hang up. */
  private static void call(TestPlatform platform, TestPlatform.TestTenant tenant, String email, boolean consent)
      throws Exception {
    int port = platform.node.httpPort();
    String key = TestCalls.widgetKey(platform.api, tenant, ORIGIN);
    TestCalls.Assigned call = TestCalls.assign(port, key, ORIGIN, tenant.agentToken(),
        Map.of("type", "join", "name", "Shopper", "email", email, "consent", consent));
    String agentToken = call.agentRoomToken();
    String shopperToken = call.shopperRoomToken();
    try (SocketClient agent = SocketClient.room(port, agentToken);
        SocketClient shopper = SocketClient.room(port, shopperToken)) {
      agent.next("call-started");
      shopper.next("call-started");
      agent.send(product("TRAIL-38", "Trail runner", "https://shop.test/p/38"));
      shopper.next("product");
      agent.send(product("SOCKS-1", "Hiking socks", "https://shop.test/p/socks"));
      shopper.next(frame -> frame.path("type").asText().equals("product")
          && frame.toString().contains("SOCKS-1"), "the second product");
      agent.send(Map.of("type", "hang-up"));
      shopper.next("call-ended");
    }
  }

  private static Map<String, Object> product(String sku, String title, String url) {
    Map<String, Object> product = new HashMap<>();
    product.put("type", "product");
    product.put("sku", sku);
    product.put("title", title);
    product.put("price", "10.00 EUR");
    product.put("productUrl", url);
    return product;
  }

  private static List<Email> summaries(TestPlatform platform, String to) {
    return platform.mail.mails().stream()
        .filter(mail -> mail.getHeaders().getOrDefault("X-VideoShop-Template", List.of()).contains("call_summary"))
        .filter(mail -> mail.getToRecipients().stream().anyMatch(r -> r.getAddress().equalsIgnoreCase(to)))
        .toList();
  }
}
