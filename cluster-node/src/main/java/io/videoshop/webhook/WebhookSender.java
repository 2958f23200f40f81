package io.videoshop.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * One delivery attempt of one message to one endpoint: checks the URL's host with the
 * {@link AddressGuard} (again at every attempt), signs the body with a fresh timestamp under
 * every current secret, posts it with the configured time-out, follows no redirect, and says
 * what became of it. Only a 2xx is delivered; 410 Gone means the endpoint is to be disabled;
 * 429, 502, 503 and 504 carry their {@code Retry-After}. Blocking: call on a worker thread.
 */
public final class WebhookSender {
  /** How much of a receiver's answer the attempt log keeps. */
  public static final int RESPONSE_KEPT_BYTES = 2048;

  private final HttpClient client;
  private final AddressGuard guard;
  private final Duration timeout;
  private final Clock clock;

  public WebhookSender(AddressGuard guard, Duration timeout, Clock clock) {
    this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    this.guard = guard;
    this.timeout = timeout;
    this.clock = clock;
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

  public Attempt send(Message message, List<String> secrets) {
    URI url = URI.create(message.url());
    Optional<String> refusal = guard.refusal(url.getHost());
    if (refusal.isPresent()) {
      return new Attempt(Outcome.REFUSED, 0, Duration.ZERO, null, "not sent: " + refusal.get(), Optional.empty());
    }
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
        .header("content-type", "application/json")
        .header("user-agent", "VideoShop-Webhooks/1")
        .header("webhook-id", message.id())
        .header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", WebhookSignature.header(secrets, message.id(), timestamp, message.body()))
        .POST(HttpRequest.BodyPublishers.ofString(message.body(), StandardCharsets.UTF_8))
        .build();
    long started = System.nanoTime();
    try {
      HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String kept;
      try (InputStream body = response.body()) {
        kept = new String(body.readNBytes(RESPONSE_KEPT_BYTES), StandardCharsets.UTF_8);
      }
      Duration latency = Duration.ofNanos(System.nanoTime() - started);
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return new Attempt(Outcome.DELIVERED, status, latency, kept, null, Optional.empty());
      }
      if (status == 410) {
        return new Attempt(Outcome.GONE, status, latency, kept, "the receiver answered 410 Gone", Optional.empty());
      }
      Optional<Duration> retryAfter = status == 429 || status == 502 || status == 503 || status == 504
          ? response.headers().firstValue("retry-after").flatMap(value -> retryAfter(value, clock.instant()))
          : Optional.empty();
      String reason = status >= 300 && status < 400 ? "the receiver answered " + status + " (redirects are not followed)"
          : "the receiver answered " + status;
      return new Attempt(Outcome.FAILED, status, latency, kept, reason, retryAfter);
    } catch (HttpTimeoutException e) {
      return new Attempt(Outcome.FAILED, 0, Duration.ofNanos(System.nanoTime() - started), null,
          "no answer within " + timeout.toSeconds() + " s", Optional.empty());
    } catch (IOException e) {
      return new Attempt(Outcome.FAILED, 0, Duration.ofNanos(System.nanoTime() - started), null,
          "cannot reach the receiver", Optional.empty());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Attempt(Outcome.FAILED, 0, Duration.ZERO, null, "interrupted", Optional.empty());
    }
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
