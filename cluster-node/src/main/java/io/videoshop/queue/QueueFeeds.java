package io.videoshop.queue;

import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.tenant.Tenants;
import io.videoshop.wallet.Wallets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * This node's {@link QueueFeed}s, one per tenant with sockets here, started on first use and
 * restarted with their sockets when they crash. Every
 * attach goes through here, so retiring an idle feed cannot lose one: a feed that gets an attach
 * after being told to retire keeps serving its sockets, and the next attach starts a fresh feed.
 */
final class QueueFeeds {
  private QueueFeeds() {}

  interface Command extends NoSerializationVerificationNeeded {}

  record Attach(String tenantId, ActorRef<QueueFeed.View> session, boolean showsNames) implements Command {}

  /** A shopper's socket follows its ticket (null: none any more). */
  record Follow(String tenantId, ActorRef<TicketNews> shopper, String ticketId) implements Command {}

  /** A feed stopped: retired, or crashed (then the next attach of its tenant starts a fresh one). */
  private record FeedStopped(String tenantId, ActorRef<QueueFeed.Command> feed) implements Command {}

  /** A feed has had no sockets for a while. */
  record Idle(String tenantId, ActorRef<QueueFeed.Command> feed) implements Command {}

  /**
   * The node is leaving (coordinated shutdown, before the shard regions hand their entities off):
   * every feed stops, with it. A feed left running would subscribe again to each queue and wallet
   * handed off, and the region would hold those messages for a coordinator that is gone, which kept
   * the region's graceful shutdown waiting for its whole time-out (10 s on every node stop).
   */
  record Stop(ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

  static Behavior<Command> create(Tenants tenants, Wallets wallets, PersonalDataVault vault, Executor blocking,
      Clock clock) {
    return Behaviors.setup(context -> {
      Map<String, ActorRef<QueueFeed.Command>> feeds = new HashMap<>();
      long[] started = {0};
      // A crashed feed restarts (with backoff) keeping its audience, so its sockets keep hearing.
      java.util.function.Function<String, ActorRef<QueueFeed.Command>> feedOf = tenant -> feeds.computeIfAbsent(tenant,
          tenantId -> {
            ActorRef<QueueFeed.Command> spawned = context.spawn(Behaviors.supervise(QueueFeed.create(tenantId,
                    context.getSelf(), new QueueFeed.Audience(), tenants, wallets, vault, blocking, clock))
                .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2)),
                "feed-" + tenantId + "-" + (++started[0]));
            context.watchWith(spawned, new FeedStopped(tenantId, spawned));
            return spawned;
          });
      return Behaviors.receive(Command.class)
          .onMessage(Attach.class, attach -> {
            feedOf.apply(attach.tenantId()).tell(new QueueFeed.Attach(attach.session(), attach.showsNames()));
            return Behaviors.same();
          })
          .onMessage(Follow.class, follow -> {
            feedOf.apply(follow.tenantId()).tell(new QueueFeed.Follow(follow.shopper(), follow.ticketId()));
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
          .onMessage(Stop.class, stop -> {
            stop.replyTo().tell(org.apache.pekko.Done.getInstance());
            return Behaviors.stopped();
          })
          .build();
    });
  }
}
