package io.videoshop.http;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Counts of open things by key (a tenant's widget connections, an address's) over the cluster:
 * this node's own, exact, plus the other nodes' as they last told ({@link ClusterCountsGossip}
 * carries each node's {@link ClusterShare}). A cap is checked against that total here, with no remote
 * round trip; what the other nodes opened since their last share is not seen yet, so the cluster
 * may overshoot a cap by what they opened within that window. Pure: no actors.
 */
public final class ClusterCounts implements ClusterShare.Shared {

  /** At most {@code max} open under {@code key}. */
  public record Cap(String key, int max) {}

  private final ToIntFunction<String> sharedFrom;
  private final Map<String, Integer> local = new HashMap<>();
  private Map<String, Integer> others = Map.of();

  /**
   * @param sharedFrom the count from which this node tells the others about a key (1: always; 2
   *     for a client address, so that the millions of addresses with one connection are not
   *     gossiped, at the price of not counting up to one connection per other node)
   */
  public ClusterCounts(ToIntFunction<String> sharedFrom) {
    this.sharedFrom = sharedFrom;
  }

  /** Takes a place under every key if each total is below its cap; else the first full one (nothing taken). */
  public synchronized Optional<Cap> open(List<Cap> caps) {
    for (Cap cap : caps) {
      if (total(cap.key()) >= cap.max()) return Optional.of(cap);
    }
    for (Cap cap : caps) local.merge(cap.key(), 1, Integer::sum);
    return Optional.empty();
  }

  public synchronized void close(List<String> keys) {
    for (String key : keys) local.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
  }

  /** This node's count plus the others' last told. */
  public synchronized int total(String key) {
    return local.getOrDefault(key, 0) + others.getOrDefault(key, 0);
  }

  @Override
  public synchronized ClusterShare share() {
    Map<String, Integer> open = new TreeMap<>();
    local.forEach((key, count) -> {
      if (count >= sharedFrom.applyAsInt(key)) open.put(key, count);
    });
    return new ClusterShare(open, Map.of());
  }

  @Override
  public synchronized void othersAre(Map<String, ClusterShare> shares) {
    Map<String, Integer> summed = new HashMap<>();
    for (ClusterShare share : shares.values()) share.open().forEach((key, count) -> summed.merge(key, count, Integer::sum));
    others = summed;
  }
}
