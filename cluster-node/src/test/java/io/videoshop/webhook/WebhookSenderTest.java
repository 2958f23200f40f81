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
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyStore;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One attempt against a real local receiver (JDK HttpServer on loopback, allowed by the platform setting). */
class WebhookSenderTest {
  private static final String SECRET = WebhookSignatureTest.SPEC_SECRET;
  /** TEST-NET-1 (RFC 5737): public to the guard, and nothing answers there. */
  private static final String UNROUTED = "192.0.2.1";
  private static ActorSystem system;

  @BeforeAll
  static void startSystem() {
    system = ActorSystem.create("webhook-sender-test", ConfigFactory.parseString("""
        pekko.actor.provider = local
        pekko.loglevel = WARNING
        """).withFallback(ConfigFactory.defaultReference()));
  }

  @AfterAll
  static void stopSystem() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** {@code from}: the client's address and port (one per connection); {@code to}: the address it connected to. */
  private record Received(String path, Map<String, String> headers, String body, String from, String to) {}

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
        StandardCharsets.UTF_8), exchange.getRemoteAddress().toString(),
        exchange.getLocalAddress().getAddress().getHostAddress()));
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
    return new WebhookSender(system, new AddressGuard(List.of("127.0.0.1")), timeout, clock);
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
    assertThat(first.headers().get("user-agent")).isEqualTo("VideoShop-Webhooks/1");
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
    WebhookSender guarded = new WebhookSender(system, new AddressGuard(List.of()), Duration.ofSeconds(15), clock);
    String viaName = "http://localhost:" + receiver.getAddress().getPort() + "/ok";
    for (String target : List.of(url("/ok"), viaName)) {
      WebhookSender.Attempt refused = guarded.send(new WebhookSender.Message("m7", target, "{}"), List.of(SECRET));
      assertThat(refused.outcome()).as(target).isEqualTo(WebhookSender.Outcome.REFUSED);
      assertThat(refused.reason()).contains("internal address");
    }
    assertThat(received).as("nothing was sent").isEmpty();
    assertThat(WebhookSender.retryAfter("soon", clock.instant())).isEqualTo(Optional.empty());
  }

  /** A resolver seam: a fixed table, counting look-ups. */
  private static final class Table implements AddressGuard.Resolver {
    private final Map<String, String[]> answers = new ConcurrentHashMap<>();
    final AtomicInteger lookUps = new AtomicInteger();

    Table answer(String host, String... addresses) {
      answers.put(host, addresses);
      return this;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      lookUps.incrementAndGet();
      String[] found = answers.get(host);
      if (found == null) throw new UnknownHostException(host);
      InetAddress[] addresses = new InetAddress[found.length];
      for (int i = 0; i < found.length; i++) addresses[i] = InetAddress.getByName(found[i]);
      return addresses;
    }
  }

  @Test
  void theConnectionGoesToTheAddressTheGuardCheckedNotToASecondLookUp() {
    // The system's resolver says localhost is 127.0.0.1, where the receiver listens; the guard's
    // look-up says a public address. A client that looked the name up again would reach the
    // receiver (DNS rebinding between the check and the connect); the attempt goes to the checked
    // address, where nothing answers.
    Table dns = new Table().answer("localhost", UNROUTED);
    WebhookSender sender = new WebhookSender(system, new AddressGuard(List.of(), dns), Duration.ofSeconds(1), clock);
    String rebinding = "http://localhost:" + receiver.getAddress().getPort() + "/ok";
    WebhookSender.Attempt attempt = sender.send(new WebhookSender.Message("m8", rebinding, "{}"), List.of(SECRET));
    assertThat(attempt.outcome()).isEqualTo(WebhookSender.Outcome.FAILED);
    assertThat(attempt.status()).isZero();
    assertThat(dns.lookUps).as("one look-up per attempt").hasValue(1);
    // Several addresses, one inside: refused whichever would be connected to.
    dns.answer("localhost", UNROUTED, "127.0.0.1");
    assertThat(sender.send(new WebhookSender.Message("m9", rebinding, "{}"), List.of(SECRET)).outcome())
        .isEqualTo(WebhookSender.Outcome.REFUSED);
    assertThat(received).as("the loopback receiver was never reached").isEmpty();

    // And the checked address is really the one connected to: a name only the guard's table knows.
    dns.answer("receiver.test", "127.0.0.1");
    WebhookSender allowed = new WebhookSender(system, new AddressGuard(List.of("receiver.test"), dns),
        Duration.ofSeconds(15), clock);
    WebhookSender.Attempt viaTable = allowed.send(new WebhookSender.Message("m10",
        "http://receiver.test:" + receiver.getAddress().getPort() + "/ok?x=1", "{}"), List.of(SECRET));
    assertThat(viaTable.outcome()).as("%s", viaTable).isEqualTo(WebhookSender.Outcome.DELIVERED);
    assertThat(received).singleElement().satisfies(one -> {
      assertThat(one.path()).isEqualTo("/ok");
      assertThat(one.headers().get("host")).isEqualTo("receiver.test:" + receiver.getAddress().getPort());
    });
  }

  private HttpServer receiverAt(String address, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
    return server;
  }

  @Test
  void aKeptConnectionIsReusedOnlyWhileTheGuardStillAnswersTheAddressItWasOpenedTo() throws IOException {
    int port = receiver.getAddress().getPort();
    HttpServer second = receiverAt("127.0.0.2", port); // the same port on another loopback address
    try {
      Table dns = new Table().answer("receiver.test", "127.0.0.1");
      WebhookSender sender = new WebhookSender(system, new AddressGuard(List.of("receiver.test"), dns),
          Duration.ofSeconds(2), clock);
      String url = "http://receiver.test:" + port + "/ok";
      for (String id : List.of("k1", "k2")) {
        assertThat(sender.send(new WebhookSender.Message(id, url, "{}"), List.of(SECRET)).outcome()).as(id)
            .isEqualTo(WebhookSender.Outcome.DELIVERED);
      }
      assertThat(received).extracting(Received::to).containsExactly("127.0.0.1", "127.0.0.1");
      assertThat(received.get(1).from()).as("the second attempt went over the kept connection")
          .isEqualTo(received.get(0).from());

      // The name now resolves elsewhere: a new connection to the new address, not the kept one.
      dns.answer("receiver.test", "127.0.0.2");
      assertThat(sender.send(new WebhookSender.Message("k3", url, "{}"), List.of(SECRET)).outcome())
          .isEqualTo(WebhookSender.Outcome.DELIVERED);
      assertThat(received).hasSize(3);
      assertThat(received.get(2).to()).isEqualTo("127.0.0.2");
      assertThat(received.get(2).from()).isNotEqualTo(received.get(0).from());

      // And to an address where nothing answers: the attempt fails; neither kept connection carries it.
      dns.answer("receiver.test", UNROUTED);
      WebhookSender.Attempt nowhere = sender.send(new WebhookSender.Message("k4", url, "{}"), List.of(SECRET));
      assertThat(nowhere.outcome()).isEqualTo(WebhookSender.Outcome.FAILED);
      assertThat(nowhere.status()).isZero();
      assertThat(received).as("nothing reached a receiver over a connection pinned earlier").hasSize(3);
      assertThat(dns.lookUps).as("one look-up per attempt").hasValue(4);
    } finally {
      second.stop(0);
    }
  }

  @Test
  void poolsAreOnePerHostPortAndCheckedAddressAndTheirNumberIsBounded() throws Exception {
    HttpServer other = receiverAt("127.0.0.1", 0);
    try {
      Table dns = new Table().answer("a.test", "127.0.0.1").answer("b.test", "127.0.0.1");
      WebhookSender sender = new WebhookSender(system, SSLContext.getDefault(),
          new AddressGuard(List.of("a.test", "b.test"), dns), Duration.ofSeconds(15), clock, 2, 4);
      int port = receiver.getAddress().getPort();
      List<String> urls = List.of("http://a.test:" + port + "/1", "http://a.test:" + port + "/2",
          "http://b.test:" + port + "/3", "http://a.test:" + other.getAddress().getPort() + "/4",
          "http://a.test:" + port + "/5");
      List<Integer> pools = new java.util.ArrayList<>();
      for (String url : urls) {
        assertThat(sender.send(new WebhookSender.Message("p", url, "{}"), List.of(SECRET)).outcome()).as(url)
            .isEqualTo(WebhookSender.Outcome.DELIVERED);
        pools.add(sender.pools());
      }
      // a.test:port twice is one pool; b.test on the same address is another; so is another port;
      // at most 2 are kept (the least recently used goes, and comes back as a new pool when asked).
      assertThat(pools).containsExactly(1, 1, 2, 2, 2);
      assertThat(received).extracting(Received::path).containsExactly("/1", "/2", "/3", "/4", "/5");
    } finally {
      other.stop(0);
    }
  }

  @Test
  void tlsChecksTheCertificateAndSendsSniForTheUrlsHostNotTheCheckedAddress() throws Exception {
    char[] password = "receiver-test".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = getClass().getResourceAsStream("/webhook/receiver-shop-example.p12")) {
      keys.load(in, password);
    }
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(keyManagers.getKeyManagers(), null, null);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("receiver", keys.getCertificate("receiver"));
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trusted);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, trustManagers.getTrustManagers(), null);

    Set<String> sni = ConcurrentHashMap.newKeySet();
    HttpsServer secure = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    secure.setHttpsConfigurator(new HttpsConfigurator(serverTls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters parameters = serverTls.getDefaultSSLParameters();
        parameters.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
          @Override
          public boolean matches(SNIServerName name) {
            sni.add(((SNIHostName) name).getAsciiName());
            return true;
          }
        }));
        params.setSSLParameters(parameters);
      }
    });
    secure.setExecutor(Executors.newCachedThreadPool());
    secure.createContext("/", this::handle);
    secure.start();
    try {
      int port = secure.getAddress().getPort();
      Table dns = new Table().answer("shop.example", "127.0.0.1").answer("other.example", "127.0.0.1");
      WebhookSender sender = new WebhookSender(system, clientTls,
          new AddressGuard(List.of("shop.example", "other.example"), dns), Duration.ofSeconds(15), clock);
      WebhookSender.Attempt named = sender.send(new WebhookSender.Message("m11",
          "https://shop.example:" + port + "/secure", "{}"), List.of(SECRET));
      assertThat(named.outcome()).as("%s", named).isEqualTo(WebhookSender.Outcome.DELIVERED);
      assertThat(sni).containsExactly("shop.example");
      WebhookSender.Attempt wrongName = sender.send(new WebhookSender.Message("m12",
          "https://other.example:" + port + "/secure", "{}"), List.of(SECRET));
      assertThat(wrongName.outcome()).as("the certificate names shop.example only").isEqualTo(
          WebhookSender.Outcome.FAILED);
      assertThat(received).extracting(Received::path).containsExactly("/secure");
    } finally {
      secure.stop(0);
    }
  }
}
