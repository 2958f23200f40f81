package io.videoshop.queue;

import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.tenant.Tenants;
import io.videoshop.wallet.Wallets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * This node's {@link QueueFeed}s, one per tenant with sockets here, started on first use. Every
 * attach goes through here, so retiring an idle feed cannot lose one: a feed that gets an attach
 * after being told to retire keeps serving its sockets, and the next attach starts a fresh feed.
 */
final class QueueFeeds {
  private QueueFeeds() {}

  interface Command extends NoSerializationVerificationNeeded {}

  record Attach(String tenantId, ActorRef<QueueFeed.View> session, boolean showsNames) implements Command {}

  /** A feed stopped: retired, or crashed (then the next attach of its tenant starts a fresh one). */
  private record FeedStopped(String tenantId, ActorRef<QueueFeed.Command> feed) implements Command {}

  /** A feed has had no sockets for a while. */
  record Idle(String tenantId, ActorRef<QueueFeed.Command> feed) implements Command {}

  static Behavior<Command> create(Tenants tenants, Wallets wallets, PersonalDataVault vault, Executor blocking,
      Clock clock) {
    return Behaviors.setup(context -> {
      Map<String, ActorRef<QueueFeed.Command>> feeds = new HashMap<>();
      long[] started = {0};
      return Behaviors.receive(Command.class)
          .onMessage(Attach.class, attach -> {
            ActorRef<QueueFeed.Command> feed = feeds.computeIfAbsent(attach.tenantId(), tenantId -> {
              ActorRef<QueueFeed.Command> spawned = context.spawn(
                  QueueFeed.create(tenantId, context.getSelf(), tenants, wallets, vault, blocking, clock),
                  "feed-" + tenantId + "-" + (++started[0]));
              context.watchWith(spawned, new FeedStopped(tenantId, spawned));
              return spawned;
            });
            feed.tell(new QueueFeed.Attach(attach.session(), attach.showsNames()));
            return Behaviors.same();
          })
          .onMessage(FeedStopped.class, stopped -> {
            feeds.remove(stopped.tenantId(), stopped.feed());
            return Behaviors.same();
          })
          .onMessage(Idle.class, idle -> {
            feeds.remove(idle.tenantId(), idle.feed());
            idle.feed().tell(new QueueFeed.Retire());
            return Behaviors.same();
          })
          .build();
    });
  }
}
