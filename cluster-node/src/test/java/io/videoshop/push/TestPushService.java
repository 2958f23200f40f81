package io.videoshop.push;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A push service on a local port (JDK HttpServer), checking what a real one checks: the VAPID
 * JWT's ES256 signature with the key in {@code k=}, that {@code k} is the expected platform key,
 * its {@code aud} (this service's origin), {@code exp} (in the future, at most 24 h ahead) and
 * {@code sub}; then it decrypts the {@code aes128gcm} body with the browser's key of that path.
 * Each path ({@code /push/<name>}) answers the status it is told to (201 by default).
 */
public final class TestPushService implements AutoCloseable {
  private static final Pattern VAPID = Pattern.compile("vapid t=([^,\\s]+),\\s*k=([A-Za-z0-9_-]+)");

  /** One push as received: its checks, headers and the decrypted payload (null when it did not decrypt). */
  public record Received(String path, int answered, List<String> problems, Map<String, String> headers, String payload) {}

  private final HttpServer server;
  private final String expectedKey;
  private final String expectedSubject;
  private final Map<String, BrowserPushKeys> browsers = new ConcurrentHashMap<>();
  private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
  final List<Received> received = new CopyOnWriteArrayList<>();

  public TestPushService(String expectedKey, String expectedSubject) throws IOException {
    this.expectedKey = expectedKey;
    this.expectedSubject = expectedSubject;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/push/", this::handle);
    server.start();
  }

  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** A new browser of this service: its endpoint and keys, as PushManager.subscribe would give them. */
  public Map<String, Object> subscribe(String name) {
    BrowserPushKeys keys = BrowserPushKeys.generate();
    browsers.put("/push/" + name, keys);
    return Map.of("endpoint", origin() + "/push/" + name,
        "keys", Map.of("p256dh", keys.p256dh(), "auth", keys.authBase64Url()));
  }

  void answer(String name, int status) {
    statuses.put("/push/" + name, status);
  }

  public List<Received> receivedAt(String name) {
    return received.stream().filter(r -> r.path().equals("/push/" + name)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    byte[] body = exchange.getRequestBody().readAllBytes();
    List<String> problems = new ArrayList<>();
    Map<String, String> headers = new ConcurrentHashMap<>();
    for (String name : List.of("TTL", "Topic", "Urgency", "Content-Encoding", "Content-Type")) {
      String value = exchange.getRequestHeaders().getFirst(name);
      if (value != null) headers.put(name, value);
    }
    if (!"POST".equals(exchange.getRequestMethod())) problems.add("method " + exchange.getRequestMethod());
    if (!"aes128gcm".equals(headers.get("Content-Encoding"))) problems.add("Content-Encoding");
    if (headers.get("TTL") == null) problems.add("no TTL");
    checkVapid(exchange.getRequestHeaders().getFirst("Authorization"), problems);
    String payload = null;
    BrowserPushKeys browser = browsers.get(path);
    if (browser == null) {
      problems.add("unknown browser " + path);
    } else {
      try {
        payload = new String(browser.decrypt(body), java.nio.charset.StandardCharsets.UTF_8);
      } catch (Exception e) {
        problems.add("does not decrypt: " + e);
      }
    }
    int status = problems.isEmpty() ? statuses.getOrDefault(path, 201) : 400;
    received.add(new Received(path, status, problems, headers, payload));
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  private void checkVapid(String authorization, List<String> problems) {
    if (authorization == null) {
      problems.add("no Authorization");
      return;
    }
    Matcher matcher = VAPID.matcher(authorization);
    if (!matcher.matches()) {
      problems.add("Authorization is not vapid t=..., k=...");
      return;
    }
    if (!matcher.group(2).equals(expectedKey)) problems.add("k is not the platform's key");
    try {
      SignedJWT jwt = SignedJWT.parse(matcher.group(1));
      if (!"ES256".equals(jwt.getHeader().getAlgorithm().getName())) problems.add("alg " + jwt.getHeader().getAlgorithm());
      ECDSAVerifier verifier = new ECDSAVerifier(PushEncryption.publicKey(Base64.getUrlDecoder().decode(matcher.group(2))));
      if (!jwt.verify(verifier)) problems.add("signature does not verify with k");
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!List.of(origin()).equals(claims.getAudience())) problems.add("aud " + claims.getAudience());
      Instant exp = claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant();
      if (exp == null || !exp.isAfter(Instant.now()) || exp.isAfter(Instant.now().plus(Duration.ofHours(24)))) {
        problems.add("exp " + exp);
      }
      if (!expectedSubject.equals(claims.getSubject())) problems.add("sub " + claims.getSubject());
    } catch (Exception e) {
      problems.add("JWT: " + e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
