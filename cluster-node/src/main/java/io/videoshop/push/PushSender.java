package io.videoshop.push;

import io.videoshop.config.PushSettings;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Posts one encrypted push to a browser's push service (RFC 8030 section 5) with VAPID
 * authorization (RFC 8292) and maps the answer to a {@link PushOutcome}. Non-blocking (the JDK
 * HTTP client); never logs the endpoint, the keys or the payload.
 */
public final class PushSender {
  private final HttpClient http;
  private final VapidKeys keys;
  private final PushSettings settings;
  private final Clock clock;

  public PushSender(VapidKeys keys, PushSettings settings, Clock clock) {
    this.keys = keys;
    this.settings = settings;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  public CompletionStage<PushOutcome> send(PushTarget target, PushMessage message) {
    HttpRequest.Builder request = HttpRequest.newBuilder(target.endpoint())
        .timeout(settings.requestTimeout())
        .header("Authorization", keys.authorization(target.endpoint(), settings.subject(), clock.instant()))
        .header("TTL", Long.toString(message.ttl().toSeconds()))
        .header("Urgency", message.urgency().header)
        .header("Content-Encoding", "aes128gcm")
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(
            PushEncryption.encrypt(message.payload(), target.p256dh(), target.auth())));
    if (message.topic() != null) request.header("Topic", message.topic());
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        .thenApply(PushSender::outcome)
        .exceptionally(PushSender::failure);
  }

  static PushOutcome outcome(HttpResponse<?> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) return new PushOutcome.Delivered();
    if (status == 404 || status == 410) return new PushOutcome.Gone(status);
    if (status == 429 || status >= 500) {
      return new PushOutcome.Retry("push service answered " + status);
    }
    return new PushOutcome.Permanent("push service answered " + status);
  }

  private static PushOutcome failure(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof HttpTimeoutException) return new PushOutcome.Retry("push service timed out");
    if (cause instanceof IOException) {
      return new PushOutcome.Retry("push service unreachable: " + cause.getClass().getSimpleName());
    }
    return new PushOutcome.Permanent("push failed: " + cause.getClass().getSimpleName());
  }
}
