package io.videoshop.push;

import io.videoshop.notification.Channel;
import io.videoshop.notification.Outbox;
import io.videoshop.notification.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The outbox's channel for {@link Outbox#PUSH} rows: one row is one push to one subscribed
 * browser ({@link PushOutbox} writes them). It sends the push with the TTL left until the row's
 * deadline (a push past it is dropped unsent) and keeps the subscription store true to the
 * answer: a delivered push stamps the subscription, a 404/410 removes it. A subscription that is
 * gone, erased, or whose user turned push off is nothing to deliver. Runs on the outbox's worker
 * threads, so it may block.
 */
public final class PushChannel implements Channel {
  private final PushSubscriptions subscriptions;
  private final PushSender sender;
  private final Clock clock;
  private final Duration requestTimeout;

  public PushChannel(PushSubscriptions subscriptions, PushSender sender, Clock clock, Duration requestTimeout) {
    this.subscriptions = subscriptions;
    this.sender = sender;
    this.clock = clock;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public String kind() {
    return Outbox.PUSH;
  }

  @Override
  public Delivery deliver(OutboxMessage message) {
    PushOutbox.Row row;
    try {
      row = PushOutbox.Row.read(message.payload());
    } catch (RuntimeException unreadable) {
      return new Delivery.PermanentFailure("unreadable push row");
    }
    Duration ttl = Duration.between(clock.instant(), row.expiresAt());
    if (ttl.isNegative() || ttl.isZero()) return new Delivery.Gone("past its deadline before it could be sent");
    PushMessage push = new PushMessage(row.payload().getBytes(StandardCharsets.UTF_8), row.topic(), ttl, row.urgency());
    PushOutcome outcome = send(row.subscriptionId(), push);
    if (outcome instanceof PushOutcome.Delivered) return Delivery.DELIVERED;
    if (outcome instanceof PushOutcome.Gone gone) {
      return new Delivery.Gone(gone.status() == 0 ? "subscription removed, erased or push turned off"
          : "push service answered " + gone.status() + ": subscription removed");
    }
    if (outcome instanceof PushOutcome.Retry retry) return new Delivery.RetryLater(retry.reason());
    return new Delivery.PermanentFailure(((PushOutcome.Permanent) outcome).reason());
  }

  /** Sends one push to one subscription now and applies the answer to the store (blocking). */
  public PushOutcome send(String subscriptionId, PushMessage push) {
    Optional<PushTarget> target = subscriptions.target(subscriptionId);
    if (target.isEmpty()) return new PushOutcome.Gone(0);
    PushOutcome outcome;
    try {
      outcome = sender.send(target.get(), push).toCompletableFuture()
          .get(requestTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PushOutcome.Retry("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      return new PushOutcome.Retry("push service did not answer");
    }
    if (outcome instanceof PushOutcome.Delivered) subscriptions.delivered(subscriptionId);
    if (outcome instanceof PushOutcome.Gone) subscriptions.removeGone(subscriptionId);
    return outcome;
  }
}
