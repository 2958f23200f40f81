package io.videoshop.http;

import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * Token buckets by key over the cluster: this node's buckets ({@link ClientLimits}), each drained
 * by what the other nodes took from the same key since their last share ({@link ClusterTakes},
 * told by {@link ClusterCountsGossip}: about a second late). So a key's budget holds for the
 * cluster, not per node, give or take what the other nodes took within one gossip window (and,
 * for keys shared only from their {@code sharedFrom}-th take on a node, up to
 * {@code sharedFrom - 1} takes per other node). Used by the public booking endpoints, the
 * widget's joins and the public consent withdrawal.
 */
public final class ClusterRateLimits {
  /** A bucket: {@code burst} at once, {@code perMinute} refilled. */
  public record Limit(int burst, int perMinute) {}

  /** A key without a take for this long is not shared any more: its bucket has refilled by then. */
  private static final long FORGET_AFTER_NANOS = 120_000_000_000L;
  private final Function<String, Limit> limitOf;
  private final ClientLimits buckets;
  private final ClusterTakes taken;

  /**
   * @param limitOf each key's bucket
   * @param sharedFrom the takes of a run on this node from which the others are told of a key
   *     (1: always; 2 for a client address, so that one-off visitors are not gossiped)
   */
  public ClusterRateLimits(Function<String, Limit> limitOf, ToIntFunction<String> sharedFrom, LongSupplier nanos) {
    this.limitOf = limitOf;
    this.buckets = new ClientLimits(nanos);
    this.taken = new ClusterTakes(sharedFrom, FORGET_AFTER_NANOS, nanos, (key, count) -> {
      Limit limit = limitOf.apply(key);
      buckets.drain(key, count, limit.burst(), limit.perMinute());
    });
  }

  /** What this node tells the others, and where their takes go (started by {@link ClusterCountsGossip}). */
  public ClusterTakes taken() {
    return taken;
  }

  /** Takes one from {@code key}'s bucket, else 429 {@code rate_limited} with {@code detail}. */
  public void take(String key, String detail) {
    Limit limit = limitOf.apply(key);
    buckets.take(key, limit.burst(), limit.perMinute(), detail);
    taken.took(key);
  }

  /** Takes one from {@code key}'s bucket if it has one; false (nothing taken) if not. */
  public boolean tryTake(String key) {
    Limit limit = limitOf.apply(key);
    if (!buckets.tryTake(key, limit.burst(), limit.perMinute())) return false;
    taken.took(key);
    return true;
  }
}
