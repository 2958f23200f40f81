package io.videoshop.queue;

import io.videoshop.config.WidgetSettings;
import io.videoshop.http.ClusterCounts;
import io.videoshop.http.ClusterCountsGossip;
import io.videoshop.http.ClusterRateLimits;
import io.videoshop.http.ClusterTakes;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The caps on the public widget socket ({@link WidgetSettings}), all over the cluster: open
 * connections per client address and per tenant ({@link ClusterCounts}: this node's exact count
 * plus the other nodes' as gossiped, so a burst split over n nodes may overshoot within about a
 * second; an address's connections are shared from its second one on a node), and joins per
 * client address per minute ({@link ClusterRateLimits}: this node's bucket drained by the other
 * nodes' joins, about a second late; an address's joins are shared from its second on a node).
 * The key is public and a script can forge {@code Origin}, so these are what bound one client's
 * share.
 */
final class WidgetLimits {
  private static final String ADDRESS = "address:";
  private static final String TENANT = "tenant:";

  private final WidgetSettings settings;
  private final ClusterCounts connections = new ClusterCounts(key -> key.startsWith(ADDRESS) ? 2 : 1);
  /** A token bucket of joins per address: {@code joinsPerAddressPerMinute} at once, refilled over a minute. */
  private final ClusterRateLimits joins;

  WidgetLimits(WidgetSettings settings, LongSupplier nanos) {
    this.settings = settings;
    ClusterRateLimits.Limit perAddress = new ClusterRateLimits.Limit(settings.joinsPerAddressPerMinute(),
        settings.joinsPerAddressPerMinute());
    this.joins = new ClusterRateLimits(key -> perAddress, key -> 2, nanos);
  }

  /** The counts the other nodes are told of (started by {@link ClusterCountsGossip}). */
  ClusterCounts connections() {
    return connections;
  }

  /** The joins the other nodes are told of (started by {@link ClusterCountsGossip}). */
  ClusterTakes joins() {
    return joins.taken();
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
  boolean join(String address) {
    return joins.tryTake(ADDRESS + address);
  }
}
