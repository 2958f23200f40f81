package io.videoshop.http;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * Takes from rate limits by key (a tenant's public booking requests, an address's) over the
 * cluster: this node counts what it took, tells the others ({@link ClusterCountsGossip}), and
 * each node drains its own bucket of a key by what the others took from it since their last
 * share. Every node's bucket so follows the cluster's takes, a gossip window (about a second)
 * late. Pure: no actors.
 */
public final class ClusterTakes implements ClusterShare.Shared {
  /** Where the others' takes go: drain this key's bucket by {@code count}. */
  public interface Drain {
    void drain(String key, long count);
  }

  private final ToIntFunction<String> sharedFrom;
  private final long forgetAfterNanos;
  private final LongSupplier nanos;
  private final Drain drain;
  /** Per key: the run of takes (since its first, its count) and the time of its last take. */
  private final Map<String, Run> local = new HashMap<>();
  /** Per other node and key: what it had taken when last told. */
  private Map<String, Map<String, ClusterShare.Taken>> seen = Map.of();

  private record Run(long since, long count, long lastAt) {}

  /**
   * @param sharedFrom the takes of a run from which the others are told of a key (1: always; 2
   *     for a client address, so that one-off visitors are not gossiped)
   * @param forgetAfterNanos a key without a take for this long is forgotten (its bucket is full again)
   */
  public ClusterTakes(ToIntFunction<String> sharedFrom, long forgetAfterNanos, LongSupplier nanos, Drain drain) {
    this.sharedFrom = sharedFrom;
    this.forgetAfterNanos = forgetAfterNanos;
    this.nanos = nanos;
    this.drain = drain;
  }

  /** This node took one from {@code key}'s bucket. */
  public synchronized void took(String key) {
    // A flood of addresses must not grow the heap: start over, as the buckets do (ClientLimits).
    if (local.size() > ClientLimits.MAX_BUCKETS) local.clear();
    long now = nanos.getAsLong();
    local.merge(key, new Run(now, 1, now), (run, one) -> new Run(run.since(), run.count() + 1, now));
  }

  @Override
  public synchronized ClusterShare share() {
    long now = nanos.getAsLong();
    local.values().removeIf(run -> now - run.lastAt() > forgetAfterNanos);
    Map<String, ClusterShare.Taken> taken = new TreeMap<>();
    local.forEach((key, run) -> {
      if (run.count() >= sharedFrom.applyAsInt(key)) taken.put(key, new ClusterShare.Taken(run.since(), run.count()));
    });
    return new ClusterShare(Map.of(), taken);
  }

  /** Drains each key by what each other node took since it was last seen (all of a run not seen before). */
  @Override
  public void othersAre(Map<String, ClusterShare> byNode) {
    Map<String, Long> drained = new HashMap<>();
    synchronized (this) {
      Map<String, Map<String, ClusterShare.Taken>> now = new HashMap<>();
      byNode.forEach((node, share) -> {
        Map<String, ClusterShare.Taken> before = seen.getOrDefault(node, Map.of());
        share.taken().forEach((key, taken) -> {
          ClusterShare.Taken was = before.get(key);
          long fresh = was != null && was.since() == taken.since() ? taken.count() - was.count() : taken.count();
          if (fresh > 0) drained.merge(key, fresh, Long::sum);
        });
        now.put(node, share.taken());
      });
      seen = now;
    }
    drained.forEach(drain::drain);
  }
}
