package io.videoshop.queue;

import io.videoshop.config.WidgetSettings;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's caps on the public widget socket ({@link WidgetSettings}): open connections per
 * client address and per tenant, and joins per client address per minute. The key is public and
 * a script can forge {@code Origin}, so these are what bound one client's share of the node.
 */
final class WidgetLimits {
  private static final long MINUTE_NANOS = 60_000_000_000L;

  private final WidgetSettings settings;
  private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
  private final Map<String, Integer> perTenant = new ConcurrentHashMap<>();
  private final Map<String, Joins> joins = new ConcurrentHashMap<>();

  /** A token bucket of joins: {@code joinsPerAddressPerMinute} at once, refilled over a minute. */
  private record Joins(double tokens, long at) {}

  WidgetLimits(WidgetSettings settings) {
    this.settings = settings;
  }

  /** A place for one more connection, or why not (then nothing is taken). */
  synchronized Optional<String> open(String address, String tenantId) {
    if (perAddress.getOrDefault(address, 0) >= settings.maxConnectionsPerAddress()) return Optional.of("address");
    if (perTenant.getOrDefault(tenantId, 0) >= settings.maxConnectionsPerTenant()) return Optional.of("tenant");
    perAddress.merge(address, 1, Integer::sum);
    perTenant.merge(tenantId, 1, Integer::sum);
    return Optional.empty();
  }

  synchronized void closed(String address, String tenantId) {
    perAddress.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
    perTenant.computeIfPresent(tenantId, (key, count) -> count <= 1 ? null : count - 1);
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
