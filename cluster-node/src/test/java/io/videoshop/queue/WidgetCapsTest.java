package io.videoshop.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The widget socket's caps per client address and tenant, and its cached key check, over real sockets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WidgetCapsTest {
  private static final String ORIGIN = "https://shop.test";
  private TestPlatform platform;
  private int port;
  private final AtomicInteger keyQueries = new AtomicInteger();

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres(), "videoshop.http.trusted-proxies = \"127.0.0.1/32\"",
        "videoshop.widget { max-connections-per-address = 2, joins-per-address-per-minute = 2, key-cache-ttl = 2s }");
    port = platform.node.httpPort();
    platform.node.platform().jdbi.setSqlLogger(new SqlLogger() {
      @Override
      public void logBeforeExecution(StatementContext context) {
        if (context.getRenderedSql().contains("FROM widget_keys WHERE public_key")) keyQueries.incrementAndGet();
      }
    });
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  private String key(String slug) {
    TestPlatform.TestTenant tenant = platform.tenant(slug);
    return platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
  }

  private int status(String key, String address) {
    try (SocketClient socket = SocketClient.widget(port, key, ORIGIN, address)) {
      return 101;
    } catch (Exception e) {
      if (e.getCause() instanceof WebSocketHandshakeException handshake) return handshake.getResponse().statusCode();
      throw new AssertionError(e);
    }
  }

  @Test
  void the_connection_past_the_cap_of_one_address_is_refused_and_others_are_not() throws Exception {
    String key = key("caps-conn");
    SocketClient first = SocketClient.widget(port, key, ORIGIN, "203.0.113.7");
    SocketClient second = SocketClient.widget(port, key, ORIGIN, "203.0.113.7");
    first.next("hello");
    second.next("hello");
    try {
      SocketClient.widget(port, key, ORIGIN, "203.0.113.7").close();
      throw new AssertionError("the third connection was accepted");
    } catch (Exception e) {
      WebSocketHandshakeException handshake = (WebSocketHandshakeException) e.getCause();
      assertThat(handshake.getResponse().statusCode()).isEqualTo(429);
      assertThat(String.valueOf(handshake.getResponse().body())).contains("too_many_connections");
    }
    // The first ones still work; another address is not affected.
    first.send(Map.of("type", "leave"));
    assertThat(first.next(message -> true, "an answer").path("type").asText()).isNotEmpty();
    try (SocketClient other = SocketClient.widget(port, key, ORIGIN, "198.51.100.9")) {
      assertThat(other.next("hello").get("role").asText()).isEqualTo("shopper");
    }
    // A closed connection gives its place back.
    first.close();
    second.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> status(key, "203.0.113.7") == 101);
  }

  @Test
  void joins_past_the_limit_of_one_address_get_too_many_joins() throws Exception {
    String key = key("caps-join");
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      try (SocketClient socket = SocketClient.widget(port, key, ORIGIN, "192.0.2.44")) {
        socket.next("hello");
        socket.send(Map.of("type", "join", "name", "Ann " + i, "email", "ann" + i + "@example.com"));
        JsonNode answer = socket.next(message -> message.path("type").asText().matches("queued|refused|error"), "join");
        answers.add(answer.path("type").asText() + ":" + answer.path("code").asText());
      }
    }
    assertThat(answers.get(2)).isEqualTo("error:too_many_joins");
    assertThat(answers.subList(0, 2)).noneMatch(answer -> answer.equals("error:too_many_joins"));
    try (SocketClient socket = SocketClient.widget(port, key, ORIGIN, "192.0.2.45")) {
      socket.next("hello");
      socket.send(Map.of("type", "join", "name", "Bob", "email", "bob@example.com"));
      JsonNode answer = socket.next(message -> message.path("type").asText().matches("queued|refused|error"), "join");
      assertThat(answer.path("code").asText()).isNotEqualTo("too_many_joins");
    }
  }

  @Test
  void the_key_check_is_cached_and_a_revoked_key_is_refused_after_the_cache_time() throws Exception {
    TestPlatform.TestTenant tenant = platform.tenant("caps-cache");
    JsonNode created = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys")
        .bearer(tenant.adminToken()).body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json();
    String key = created.get("publicKey").asText();
    int before = keyQueries.get();
    for (int i = 0; i < 5; i++) assertThat(status(key, "198.51.100." + (20 + i))).isEqualTo(101);
    assertThat(keyQueries.get() - before).isEqualTo(1);
    assertThat(platform.api.call("DELETE", "/api/v1/tenants/" + tenant.id() + "/widget-keys/" + created.get("id").asText()).bearer(tenant.adminToken()).send().status()).isLessThan(300);
    await().atMost(Duration.ofSeconds(10)).until(() -> status(key, "198.51.100.30") == 403);
  }
}
