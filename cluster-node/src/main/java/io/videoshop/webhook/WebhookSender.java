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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.ClientTransport;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.UserAgent;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * One delivery attempt of one message to one endpoint: checks the URL's host with the
 * {@link AddressGuard} (again at every attempt), signs the body with a fresh timestamp under
 * every current secret, posts it with the configured time-out, follows no redirect, and says
 * what became of it. Only a 2xx is delivered; 410 Gone means the endpoint is to be disabled;
 * 429, 502, 503 and 504 carry their {@code Retry-After}. Blocking: call on a worker thread.
 *
 * <p>The connection goes to exactly the address the guard checked: the attempt goes through a Pekko
 * HTTP connection pool of its own for (host, port, checked address), whose transport's resolver
 * answers that address instead of looking the name up again (a second look-up could answer an
 * internal address: DNS rebinding). A kept connection is therefore reused only while the guard's
 * look-up still answers the address it was opened to; another answer is another pool. TLS still
 * works on the URL's host name: SNI and the certificate's host check use it, not the address.
 */
public final class WebhookSender {
  /** How much of a receiver's answer the attempt log keeps. */
  public static final int RESPONSE_KEPT_BYTES = 2048;
  /** An answer up to this long (by its Content-Length) is read whole, so its connection can be kept. */
  static final int STRICT_ANSWER_BYTES = 64 * 1024;
  /** Pools' settings kept at once, one per (host, port, checked address); the least recently used goes. */
  static final int MAX_POOLS = 1024;
  /** A pool with no request this long shuts down, its connections with it. */
  static final Duration POOL_IDLE = Duration.ofSeconds(30);
  /** A kept connection idle this long is closed (below the 5 s many servers keep an idle one open). */
  static final Duration KEPT_CONNECTION_IDLE = Duration.ofSeconds(4);
  /** Connections per pool when not given: a node's attempts in flight at once (they may all go to one host). */
  static final int CONNECTIONS_PER_POOL = 32;

  private final ClassicActorSystemProvider system;
  private final Materializer materializer;
  private final HttpsConnectionContext tls;
  private final AddressGuard guard;
  private final Duration timeout;
  private final Clock clock;
  private final LoggingAdapter log;
  /**
   * Where the answer's callbacks run. Pekko's stages are Scala's CompletableFuture, whose
   * thenApply and thenCompose run as their Async forms on the JDK's default executor: with fewer
   * than three cores that starts a thread per call (22,000 threads in one benchmark run).
   */
  private final Executor callbacks;
  /** The pool of a (host, port, checked address) is the one its settings object names, so they are kept. */
  private final Map<PoolKey, ConnectionPoolSettings> pools;
  private final int connectionsPerPool;

  private record PoolKey(String host, int port, InetAddress address) {}

  public WebhookSender(ClassicActorSystemProvider system, AddressGuard guard, Duration timeout, Clock clock) {
    this(system, guard, timeout, clock, CONNECTIONS_PER_POOL);
  }

  /**
   * @param connectionsPerPool connections one (host, port, address) may have open: as many as the
   *     node's attempts in flight ({@code videoshop.webhooks.parallelism}), since endpoints of many
   *     tenants may share one host (a SaaS receiver)
   */
  public WebhookSender(ClassicActorSystemProvider system, AddressGuard guard, Duration timeout, Clock clock,
      int connectionsPerPool) {
    this(system, defaultTls(), guard, timeout, clock, MAX_POOLS, connectionsPerPool);
  }

  /** With the TLS context whose trust store decides which receivers' certificates are accepted (tests). */
  WebhookSender(ClassicActorSystemProvider system, SSLContext tls, AddressGuard guard, Duration timeout, Clock clock) {
    this(system, tls, guard, timeout, clock, MAX_POOLS, CONNECTIONS_PER_POOL);
  }

  WebhookSender(ClassicActorSystemProvider system, SSLContext tls, AddressGuard guard, Duration timeout, Clock clock,
      int maxPools, int connectionsPerPool) {
    this.connectionsPerPool = connectionsPerPool;
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.tls = ConnectionContext.httpsClient(tls); // SNI and endpoint identification ("https") on the host name
    this.guard = guard;
    this.timeout = timeout;
    this.clock = clock;
    this.log = system.classicSystem().log();
    this.callbacks = system.classicSystem().dispatcher();
    this.pools = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<PoolKey, ConnectionPoolSettings> eldest) {
        return size() > maxPools; // its pool, unused from now on, shuts down when idle
      }
    });
  }

  /** How many pools' settings are kept (tests). */
  int pools() {
    return pools.size();
  }

  /**
   * The pool settings for one (host, port, checked address): the transport answers that address
   * for every connection the pool opens; no retry inside an attempt (the next attempt checks the
   * host again); kept connections close after {@link #KEPT_CONNECTION_IDLE}, the pool after
   * {@link #POOL_IDLE}.
   */
  private ConnectionPoolSettings pool(String host, int port, InetAddress checked) {
    return pools.computeIfAbsent(new PoolKey(host.toLowerCase(Locale.ROOT), port, checked), key -> {
      InetSocketAddress pinned = new InetSocketAddress(checked, port);
      ClientConnectionSettings connection = ClientConnectionSettings.create(system.classicSystem())
          .withConnectingTimeout(timeout)
          .withIdleTimeout(timeout)
          .withTransport(ClientTransport.withCustomResolver((name, p) -> CompletableFuture.completedFuture(pinned)));
      return ConnectionPoolSettings.create(system.classicSystem())
          .withConnectionSettings(connection)
          .withMaxRetries(0)
          .withMinConnections(0)
          .withMaxConnections(connectionsPerPool)
          .withMaxOpenRequests(4 * Integer.highestOneBit(connectionsPerPool)) // must be a power of two
          .withIdleTimeout(POOL_IDLE)
          .withKeepAliveTimeout(KEPT_CONNECTION_IDLE);
    });
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
    // An absolute URI: the pool's host (Host header, SNI, the certificate's check) is the URL's name.
    HttpRequest request = HttpRequest.POST(
            (https ? "https" : "http") + "://" + url.getRawAuthority() + target)
        .addHeader(UserAgent.create("VideoShop-Webhooks/1"))
        .addHeader(RawHeader.create("webhook-id", message.id()))
        .addHeader(RawHeader.create("webhook-timestamp", Long.toString(timestamp)))
        .addHeader(RawHeader.create("webhook-signature",
            WebhookSignature.header(secrets, message.id(), timestamp, message.body())))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, message.body().getBytes(StandardCharsets.UTF_8)));
    ConnectionPoolSettings settings = pool(url.getHost(), port, checked);
    long started = System.nanoTime();
    try {
      Answer answer = Http.get(system.classicSystem()).singleRequest(request, tls, settings, log)
          .thenComposeAsync(response -> kept(response).thenApplyAsync(kept -> new Answer(response.status().intValue(),
              response.getHeader("retry-after").map(HttpHeader::value), kept), callbacks), callbacks)
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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

  /**
   * The answer's first 2 KB. An answer already whole, or short enough by its Content-Length, is
   * read whole, so its connection stays in the pool; of a longer or chunked one only the first
   * 2 KB are read and the rest cancelled (that connection closes).
   */
  private CompletionStage<String> kept(HttpResponse response) {
    HttpEntity entity = response.entity();
    if (entity.isStrict()) return CompletableFuture.completedFuture(kept(((HttpEntity.Strict) entity).getData()));
    if (entity.getContentLengthOption().isPresent() && entity.getContentLengthOption().getAsLong() <= STRICT_ANSWER_BYTES) {
      return entity.toStrict(timeout.toMillis(), STRICT_ANSWER_BYTES, materializer)
          .thenApplyAsync(strict -> kept(strict.getData()), callbacks);
    }
    AtomicInteger read = new AtomicInteger();
    return entity.withoutSizeLimit().getDataBytes()
        .takeWhile(chunk -> read.getAndAdd(chunk.size()) < RESPONSE_KEPT_BYTES)
        .completionTimeout(timeout)
        .runFold(ByteString.emptyByteString(), ByteString::concat, materializer)
        .thenApplyAsync(WebhookSender::kept, callbacks);
  }

  private static String kept(ByteString bytes) {
    return bytes.take(RESPONSE_KEPT_BYTES).decodeString(StandardCharsets.UTF_8);
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
