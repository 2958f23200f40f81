package io.videoshop.webhook;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.OutgoingConnectionBuilder;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.UserAgent;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One delivery attempt of one message to one endpoint: checks the URL's host with the
 * {@link AddressGuard} (again at every attempt), signs the body with a fresh timestamp under
 * every current secret, posts it with the configured time-out, follows no redirect, and says
 * what became of it. Only a 2xx is delivered; 410 Gone means the endpoint is to be disabled;
 * 429, 502, 503 and 504 carry their {@code Retry-After}. Blocking: call on a worker thread.
 *
 * <p>The connection goes to exactly the address the guard checked: one Pekko HTTP connection per
 * attempt whose transport's resolver answers that address instead of looking the name up again
 * (a second look-up could answer an internal address: DNS rebinding). TLS still works on the
 * URL's host name: SNI and the certificate's host check use it, not the address.
 */
public final class WebhookSender {
  /** How much of a receiver's answer the attempt log keeps. */
  public static final int RESPONSE_KEPT_BYTES = 2048;

  private final ClassicActorSystemProvider system;
  private final Materializer materializer;
  private final HttpsConnectionContext tls;
  private final AddressGuard guard;
  private final Duration timeout;
  private final Clock clock;

  public WebhookSender(ClassicActorSystemProvider system, AddressGuard guard, Duration timeout, Clock clock) {
    this(system, defaultTls(), guard, timeout, clock);
  }

  /** With the TLS context whose trust store decides which receivers' certificates are accepted (tests). */
  WebhookSender(ClassicActorSystemProvider system, SSLContext tls, AddressGuard guard, Duration timeout, Clock clock) {
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.tls = ConnectionContext.httpsClient(tls); // SNI and endpoint identification ("https") on the host name
    this.guard = guard;
    this.timeout = timeout;
    this.clock = clock;
  }

  private static SSLContext defaultTls() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no default TLS context", e);
    }
  }

  /** A message: its id is the same on every attempt, so receivers can drop a repeat. */
  public record Message(String id, String url, String body) {}

  /** What one attempt came to; {@code status} 0 when no HTTP answer came. */
  public record Attempt(Outcome outcome, int status, Duration latency, String response, String reason,
      Optional<Duration> retryAfter) {}

  public enum Outcome {
    /** A 2xx answer. */
    DELIVERED,
    /** Anything else (a non-2xx, a redirect, a time-out, a refused connection): try again later. */
    FAILED,
    /** 410 Gone: the receiver asks for no more; the endpoint is disabled. */
    GONE,
    /** The SSRF guard refused the host: counted as a failed attempt, never sent. */
    REFUSED
  }

  private record Answer(int status, Optional<String> retryAfter, String kept) {}

  public Attempt send(Message message, List<String> secrets) {
    URI url = URI.create(message.url());
    AddressGuard.Verdict verdict = guard.check(url.getHost());
    if (verdict.refusal().isPresent()) {
      return new Attempt(Outcome.REFUSED, 0, Duration.ZERO, null, "not sent: " + verdict.refusal().get(),
          Optional.empty());
    }
    InetAddress checked = verdict.addresses().get(0);
    boolean https = "https".equalsIgnoreCase(url.getScheme());
    int port = url.getPort() != -1 ? url.getPort() : https ? 443 : 80;
    long timestamp = clock.instant().getEpochSecond();
    String target = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
        + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    HttpRequest request = HttpRequest.POST(target)
        .addHeader(UserAgent.create("VideoShop-Webhooks/1"))
        .addHeader(RawHeader.create("webhook-id", message.id()))
        .addHeader(RawHeader.create("webhook-timestamp", Long.toString(timestamp)))
        .addHeader(RawHeader.create("webhook-signature",
            WebhookSignature.header(secrets, message.id(), timestamp, message.body())))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, message.body().getBytes(StandardCharsets.UTF_8)));
    // The resolver answers the checked address whatever DNS says now; the connection's host (Host
    // header, SNI, certificate check) stays the URL's name.
    ClientConnectionSettings settings = ClientConnectionSettings.create(system.classicSystem())
        .withConnectingTimeout(timeout)
        .withIdleTimeout(timeout)
        .withTransport(ClientTransport.withCustomResolver((host, p) ->
            CompletableFuture.completedFuture(new InetSocketAddress(checked, port))));
    OutgoingConnectionBuilder connection = Http.get(system.classicSystem()).connectionTo(url.getHost()).toPort(port)
        .withClientConnectionSettings(settings);
    if (https) connection = connection.withCustomHttpsConnectionContext(tls);
    long started = System.nanoTime();
    try {
      Answer answer = Source.single(request)
          .via(https ? connection.https() : connection.http())
          .initialTimeout(timeout)
          .mapAsync(1, response -> kept(response).thenApply(kept -> new Answer(response.status().intValue(),
              response.getHeader("retry-after").map(HttpHeader::value), kept)))
          .runWith(Sink.head(), materializer)
          .toCompletableFuture()
          .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      Duration latency = Duration.ofNanos(System.nanoTime() - started);
      int status = answer.status();
      if (status >= 200 && status < 300) {
        return new Attempt(Outcome.DELIVERED, status, latency, answer.kept(), null, Optional.empty());
      }
      if (status == 410) {
        return new Attempt(Outcome.GONE, status, latency, answer.kept(), "the receiver answered 410 Gone",
            Optional.empty());
      }
      Optional<Duration> retryAfter = status == 429 || status == 502 || status == 503 || status == 504
          ? answer.retryAfter().flatMap(value -> retryAfter(value, clock.instant()))
          : Optional.empty();
      String reason = status >= 300 && status < 400 ? "the receiver answered " + status + " (redirects are not followed)"
          : "the receiver answered " + status;
      return new Attempt(Outcome.FAILED, status, latency, answer.kept(), reason, retryAfter);
    } catch (TimeoutException e) {
      return noAnswer(started);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException) return noAnswer(started);
      return new Attempt(Outcome.FAILED, 0, Duration.ofNanos(System.nanoTime() - started), null,
          "cannot reach the receiver", Optional.empty());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Attempt(Outcome.FAILED, 0, Duration.ZERO, null, "interrupted", Optional.empty());
    }
  }

  private Attempt noAnswer(long started) {
    return new Attempt(Outcome.FAILED, 0, Duration.ofNanos(System.nanoTime() - started), null,
        "no answer within " + timeout.toSeconds() + " s", Optional.empty());
  }

  /** The answer's first 2 KB; the rest is not read (the connection closes with the attempt). */
  private java.util.concurrent.CompletionStage<String> kept(HttpResponse response) {
    AtomicInteger read = new AtomicInteger();
    return response.entity().withoutSizeLimit().getDataBytes()
        .takeWhile(chunk -> read.getAndAdd(chunk.size()) < RESPONSE_KEPT_BYTES)
        .completionTimeout(timeout)
        .runFold(ByteString.emptyByteString(), ByteString::concat, materializer)
        .thenApply(bytes -> bytes.take(RESPONSE_KEPT_BYTES).decodeString(StandardCharsets.UTF_8));
  }

  /** {@code Retry-After} as seconds or an HTTP date; empty when it is neither or already past. */
  static Optional<Duration> retryAfter(String value, Instant now) {
    String trimmed = value.trim();
    try {
      long seconds = Long.parseLong(trimmed);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until = Duration.between(now, ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME)
            .toInstant());
        return until.isNegative() ? Optional.empty() : Optional.of(until);
      } catch (DateTimeParseException neither) {
        return Optional.empty();
      }
    }
  }
}
