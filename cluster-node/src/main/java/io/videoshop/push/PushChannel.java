package io.videoshop.push;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Delivers one push to one subscribed browser and keeps the subscription store true to the
 * answer: a delivered push stamps the subscription, a 404/410 removes it. A subscription that is
 * gone, erased or whose user turned push off is nothing to deliver ({@link PushOutcome.Gone}
 * with status 0). The store's JDBC runs on the blocking executor.
 */
public final class PushChannel {
  private final PushSubscriptions subscriptions;
  private final PushSender sender;
  private final Executor blocking;

  public PushChannel(PushSubscriptions subscriptions, PushSender sender, Executor blocking) {
    this.subscriptions = subscriptions;
    this.sender = sender;
    this.blocking = blocking;
  }

  public CompletionStage<PushOutcome> deliver(String subscriptionId, PushMessage message) {
    return CompletableFuture.supplyAsync(() -> subscriptions.target(subscriptionId), blocking)
        .thenCompose((Optional<PushTarget> target) -> target.isEmpty()
            ? CompletableFuture.completedFuture((PushOutcome) new PushOutcome.Gone(0))
            : sender.send(target.get(), message).thenApplyAsync(outcome -> {
              if (outcome instanceof PushOutcome.Delivered) subscriptions.delivered(subscriptionId);
              if (outcome instanceof PushOutcome.Gone) subscriptions.removeGone(subscriptionId);
              return outcome;
            }, blocking));
  }
}
