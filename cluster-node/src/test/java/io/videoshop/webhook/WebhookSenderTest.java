package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.videoshop.node.MovableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One attempt against a real local receiver (JDK HttpServer on loopback, allowed by the platform setting). */
class WebhookSenderTest {
  private static final String SECRET = WebhookSignatureTest.SPEC_SECRET;

  private record Received(String path, Map<String, String> headers, String body) {}

  private HttpServer receiver;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T10:00:00Z"));

  private record Answer(int status, Map<String, String> headers, String body) {}

  @BeforeEach
  void start() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.createContext("/", this::handle);
    receiver.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    receiver.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    Map<String, String> headers = new java.util.HashMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
    received.add(new Received(path, headers, new String(exchange.getRequestBody().readAllBytes(),
        StandardCharsets.UTF_8)));
    if (path.equals("/slow")) {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Answer answer = answers.getOrDefault(path, new Answer(204, Map.of(), ""));
    answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }

  private WebhookSender sender(Duration timeout) {
    return new WebhookSender(new AddressGuard(List.of("127.0.0.1")), timeout, clock);
  }

  @Test
  void everyAttemptIsSignedWithAFreshTimestampUnderTheSameId() {
    WebhookSender sender = sender(Duration.ofSeconds(15));
    WebhookSender.Message message = new WebhookSender.Message("msg_2Qe", url("/ok"), "{\"type\":\"ping\"}");
    String rotated = WebhookSignature.newSecret();
    assertThat(sender.send(message, List.of(SECRET)).outcome()).isEqualTo(WebhookSender.Outcome.DELIVERED);
    clock.advance(Duration.ofSeconds(5));
    WebhookSender.Attempt second = sender.send(message, List.of(rotated, SECRET));
    assertThat(second.outcome()).isEqualTo(WebhookSender.Outcome.DELIVERED);
    assertThat(second.status()).isEqualTo(204);

    assertThat(received).hasSize(2);
    Received first = received.get(0);
    Received again = received.get(1);
    assertThat(first.headers().get("webhook-id")).isEqualTo("msg_2Qe").isEqualTo(again.headers().get("webhook-id"));
    assertThat(first.headers().get("webhook-timestamp")).isEqualTo("1772359200");
    assertThat(again.headers().get("webhook-timestamp")).isEqualTo("1772359205");
    assertThat(first.headers().get("content-type")).isEqualTo("application/json");
    for (Received one : received) {
      long timestamp = Long.parseLong(one.headers().get("webhook-timestamp"));
      assertThat(WebhookSignature.verify(SECRET, one.headers().get("webhook-id"), timestamp, one.body(),
          one.headers().get("webhook-signature"))).isTrue();
    }
    assertThat(again.headers().get("webhook-signature").split(" ")).hasSize(2);
    assertThat(WebhookSignature.verify(rotated, "msg_2Qe", 1772359205L, again.body(),
        again.headers().get("webhook-signature"))).isTrue();
  }

  @Test
  void onlyA2xxCountsAndRedirectsAreNotFollowed() {
    answers.put("/broken", new Answer(500, Map.of(), "oops"));
    answers.put("/moved", new Answer(302, Map.of("Location", url("/ok")), ""));
    WebhookSender sender = sender(Duration.ofSeconds(15));
    WebhookSender.Attempt broken = sender.send(new WebhookSender.Message("msg_a", url("/broken"), "{}"), List.of(SECRET));
    assertThat(broken.outcome()).isEqualTo(WebhookSender.Outcome.FAILED);
    assertThat(broken.status()).isEqualTo(500);
    assertThat(broken.response()).isEqualTo("oops");
    assertThat(broken.retryAfter()).as("no Retry-After on a 500").isEmpty();
    WebhookSender.Attempt moved = sender.send(new WebhookSender.Message("msg_b", url("/moved"), "{}"), List.of(SECRET));
    assertThat(moved.outcome()).isEqualTo(WebhookSender.Outcome.FAILED);
    assertThat(moved.status()).isEqualTo(302);
    assertThat(received).extracting(Received::path).containsExactly("/broken", "/moved");
  }

  @Test
  void goneDisablesAndBusyAnswersCarryTheirRetryAfter() {
    answers.put("/gone", new Answer(410, Map.of(), ""));
    answers.put("/busy", new Answer(429, Map.of("Retry-After", "120"), ""));
    answers.put("/down", new Answer(503, Map.of("Retry-After", "Sun, 01 Mar 2026 10:30:00 GMT"), ""));
    answers.put("/teapot", new Answer(418, Map.of("Retry-After", "120"), ""));
    WebhookSender sender = sender(Duration.ofSeconds(15));
    assertThat(sender.send(new WebhookSender.Message("m1", url("/gone"), "{}"), List.of(SECRET)).outcome())
        .isEqualTo(WebhookSender.Outcome.GONE);
    assertThat(sender.send(new WebhookSender.Message("m2", url("/busy"), "{}"), List.of(SECRET)).retryAfter())
        .hasValue(Duration.ofSeconds(120));
    assertThat(sender.send(new WebhookSender.Message("m3", url("/down"), "{}"), List.of(SECRET)).retryAfter())
        .hasValue(Duration.ofMinutes(30));
    assertThat(sender.send(new WebhookSender.Message("m4", url("/teapot"), "{}"), List.of(SECRET)).retryAfter())
        .as("only 429/502/503/504").isEmpty();
  }

  @Test
  void aReceiverThatDoesNotAnswerInTimeFailsTheAttempt() {
    WebhookSender.Attempt slow = sender(Duration.ofSeconds(1))
        .send(new WebhookSender.Message("m5", url("/slow"), "{}"), List.of(SECRET));
    assertThat(slow.outcome()).isEqualTo(WebhookSender.Outcome.FAILED);
    assertThat(slow.status()).isZero();
    assertThat(slow.reason()).isEqualTo("no answer within 1 s");
  }

  @Test
  void onlyTheFirst2KbOfTheAnswerIsKept() {
    answers.put("/chatty", new Answer(200, Map.of(), "x".repeat(10_000)));
    WebhookSender.Attempt chatty = sender(Duration.ofSeconds(15))
        .send(new WebhookSender.Message("m6", url("/chatty"), "{}"), List.of(SECRET));
    assertThat(chatty.outcome()).isEqualTo(WebhookSender.Outcome.DELIVERED);
    assertThat(chatty.response()).hasSize(2048);
  }

  @Test
  void theSsrfGuardRefusesALoopbackReceiverTheSettingDoesNotAllowAtEveryAttempt() {
    WebhookSender guarded = new WebhookSender(new AddressGuard(List.of()), Duration.ofSeconds(15), clock);
    String viaName = "http://localhost:" + receiver.getAddress().getPort() + "/ok";
    for (String target : List.of(url("/ok"), viaName)) {
      WebhookSender.Attempt refused = guarded.send(new WebhookSender.Message("m7", target, "{}"), List.of(SECRET));
      assertThat(refused.outcome()).as(target).isEqualTo(WebhookSender.Outcome.REFUSED);
      assertThat(refused.reason()).contains("internal address");
    }
    assertThat(received).as("nothing was sent").isEmpty();
    assertThat(WebhookSender.retryAfter("soon", clock.instant())).isEqualTo(Optional.empty());
  }
}
