package io.videoshop.queue;

import io.videoshop.config.WidgetSettings;
import io.videoshop.http.ClusterCounts;
import io.videoshop.http.ClusterCountsGossip;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The caps on the public widget socket ({@link WidgetSettings}): open connections per client
 * address and per tenant over the cluster ({@link ClusterCounts}: this node's exact count plus the
 * other nodes' as gossiped, so a burst split over n nodes may overshoot within about a second;
 * an address's connections are shared from its second one on a node), and joins per client
 * address per minute on this node. The key is public and a script can forge {@code Origin}, so
 * these are what bound one client's share.
 */
final class WidgetLimits {
  private static final long MINUTE_NANOS = 60_000_000_000L;
  private static final String ADDRESS = "address:";
  private static final String TENANT = "tenant:";

  private final WidgetSettings settings;
  private final ClusterCounts connections = new ClusterCounts(key -> key.startsWith(ADDRESS) ? 2 : 1);
  private final Map<String, Joins> joins = new ConcurrentHashMap<>();

  /** A token bucket of joins: {@code joinsPerAddressPerMinute} at once, refilled over a minute. */
  private record Joins(double tokens, long at) {}

  WidgetLimits(WidgetSettings settings) {
    this.settings = settings;
  }

  /** The counts the other nodes are told of (started by {@link ClusterCountsGossip}). */
  ClusterCounts connections() {
    return connections;
  }

  /** A place for one more connection, or why not: "address" or "tenant" (then nothing is taken). */
  Optional<String> open(String address, String tenantId) {
    return connections.open(List.of(new ClusterCounts.Cap(ADDRESS + address, settings.maxConnectionsPerAddress()),
            new ClusterCounts.Cap(TENANT + tenantId, settings.maxConnectionsPerTenant())))
        .map(full -> full.key().startsWith(ADDRESS) ? "address" : "tenant");
  }

  void closed(String address, String tenantId) {
    connections.close(List.of(ADDRESS + address, TENANT + tenantId));
  }

  /** May this address join now? Takes one join if so. */
  boolean join(String address, long nowNanos) {
    int burst = settings.joinsPerAddressPerMinute();
    boolean[] allowed = new boolean[1];
    joins.compute(address, (key, before) -> {
      double tokens = before == null ? burst
          : Math.min(burst, before.tokens() + (double) (nowNanos - before.at()) * burst / MINUTE_NANOS);
      allowed[0] = tokens >= 1;
      return new Joins(allowed[0] ? tokens - 1 : tokens, nowNanos);
    });
    // Full buckets carry no information: forget them so that the map stays as small as the active addresses.
    if (joins.size() > 10_000) joins.entrySet().removeIf(entry -> entry.getValue().tokens()
        + (double) (nowNanos - entry.getValue().at()) * burst / MINUTE_NANOS >= burst);
    return allowed[0];
  }
}
