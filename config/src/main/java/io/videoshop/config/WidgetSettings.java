package io.videoshop.config;

import java.time.Duration;

/**
 * The public widget socket ({@code /ws/widget}): the key is public and a script can forge
 * {@code Origin}, so the cluster caps the open widget connections per client address and per
 * tenant, and each node the joins per client address per minute; and it caches a key's check for
 * {@code keyCacheTtl} (a revoked key or changed origins take effect within it).
 */
public record WidgetSettings(int maxConnectionsPerAddress, int maxConnectionsPerTenant, int joinsPerAddressPerMinute,
    Duration keyCacheTtl, int keyCacheSize) {

  static WidgetSettings read(SettingsReader at) {
    return new WidgetSettings(at.intBetween("max-connections-per-address", 1, 1_000_000),
        at.intBetween("max-connections-per-tenant", 1, 10_000_000),
        at.intBetween("joins-per-address-per-minute", 1, 1_000_000),
        at.positiveDuration("key-cache-ttl"), at.intBetween("key-cache-size", 1, 10_000_000));
  }
}
