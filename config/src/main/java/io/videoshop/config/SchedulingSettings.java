package io.videoshop.config;

import java.time.Duration;

/**
 * Scheduling: how long the calendar may take to answer, how long a booking's signed links stay
 * valid, and the limits of the public (widget) booking endpoints, per client address and per
 * tenant, each a token bucket of {@code burst} requests refilled {@code perMinute}.
 */
public record SchedulingSettings(Duration askTimeout, Duration linkTtl, int perIpBurst, int perIpPerMinute,
    int perTenantBurst, int perTenantPerMinute) {

  static SchedulingSettings read(SettingsReader at) {
    SettingsReader limits = at.at("public-limits");
    return new SchedulingSettings(at.positiveDuration("ask-timeout"), at.positiveDuration("link-ttl"),
        limits.intBetween("per-ip-burst", 1, 100_000), limits.intBetween("per-ip-per-minute", 1, 1_000_000),
        limits.intBetween("per-tenant-burst", 1, 1_000_000), limits.intBetween("per-tenant-per-minute", 1, 10_000_000));
  }
}
