package io.videoshop.http;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Tells the other nodes this node's {@link ClusterShare} and hands theirs to its counts
 * ({@link ClusterCounts}, {@link ClusterTakes}),
 * through Pekko Distributed Data: one {@code LWWMap} per kind of count, keyed by node, each node
 * writing only its own entry (written locally, spread as a delta). Every {@link #PUBLISH_EVERY}
 * the share is written if it changed; the others see it after the replicator's delta propagation
 * (about 0.4 s, a full gossip every 2 s if a delta is lost) and its subscriber notification
 * (0.5 s): about a second. A node removed from the cluster (left, or downed) counts no more: its
 * entry is left out of the sum and deleted.
 */
public final class ClusterCountsGossip {
  public static final Duration PUBLISH_EVERY = Duration.ofMillis(250);

  private ClusterCountsGossip() {}

  interface Command {}

  private record Publish() implements Command {}

  private record Shares(LWWMap<String, ClusterShare> shares) implements Command {}

  /** @param removed the key of a node removed from the cluster, or null */
  private record MembersChanged(String removed) implements Command {}

  private record Written() implements Command {}

  /** Starts the gossip of {@code counts} under {@code name} (the same on every node). */
  public static void start(ActorSystem<?> system, String name, ClusterShare.Shared counts) {
    system.systemActorOf(create(name, counts), name + "-gossip", Props.empty());
  }

  static String nodeKey(UniqueAddress node) {
    return node.address() + "#" + node.longUid();
  }

  private static Behavior<Command> create(String name, ClusterShare.Shared counts) {
    Key<LWWMap<String, ClusterShare>> key = LWWMapKey.create(name);
    return Behaviors.setup(context -> DistributedData.<Command, LWWMap<String, ClusterShare>>withReplicatorMessageAdapter(
        replicator -> Behaviors.withTimers(timers -> {
          SelfUniqueAddress self = DistributedData.get(context.getSystem()).selfUniqueAddress();
          String selfKey = nodeKey(self.uniqueAddress());
          Cluster cluster = Cluster.get(context.getSystem());
          replicator.subscribe(key, response -> response instanceof Replicator.Changed<LWWMap<String, ClusterShare>> changed
              ? new Shares(changed.dataValue()) : new Written());
          cluster.subscriptions().tell(Subscribe.create(context.messageAdapter(ClusterEvent.MemberEvent.class,
              event -> new MembersChanged(event instanceof ClusterEvent.MemberRemoved removed
                  ? nodeKey(removed.member().uniqueAddress()) : null)), ClusterEvent.MemberEvent.class));
          timers.startTimerWithFixedDelay(new Publish(), PUBLISH_EVERY);
          LWWMap<String, ClusterShare>[] last = new LWWMap[] {LWWMap.create()};
          ClusterShare[] published = {null};
          Set<String> gone = new HashSet<>();
          Runnable sum = () -> {
            Map<String, ClusterShare> others = new HashMap<>();
            for (Map.Entry<String, ClusterShare> entry : last[0].getEntries().entrySet()) {
              if (!entry.getKey().equals(selfKey) && !gone.contains(entry.getKey())) others.put(entry.getKey(), entry.getValue());
            }
            counts.othersAre(others);
          };
          return Behaviors.receive(Command.class)
              .onMessage(Publish.class, publish -> {
                ClusterShare share = counts.share();
                if (!share.equals(published[0])) {
                  published[0] = share;
                  replicator.askUpdate(replyTo -> new Replicator.Update<>(key, LWWMap.create(), Replicator.writeLocal(),
                      replyTo, map -> map.put(self, selfKey, share)), response -> new Written());
                }
                return Behaviors.same();
              })
              .onMessage(Shares.class, shares -> {
                last[0] = shares.shares();
                // Our entry went missing (deleted by a node that took us for gone): tell it again.
                if (!last[0].contains(selfKey)) published[0] = null;
                sum.run();
                return Behaviors.same();
              })
              .onMessage(MembersChanged.class, changed -> {
                if (changed.removed() != null) {
                  gone.add(changed.removed());
                  // Every node deletes it (the same removal twice is harmless): the map keeps only members.
                  replicator.askUpdate(replyTo -> new Replicator.Update<>(key, LWWMap.create(), Replicator.writeLocal(),
                      replyTo, map -> map.remove(self, changed.removed())), response -> new Written());
                }
                sum.run();
                return Behaviors.same();
              })
              .onMessage(Written.class, written -> Behaviors.same())
              .build();
        })));
  }
}
