package io.videoshop.scheduling;

import io.videoshop.config.SchedulingSettings;
import io.videoshop.http.ApiError;
import io.videoshop.http.RateLimit;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets for the public booking endpoints, one per client address and one per tenant, on
 * this node (so a cluster of n nodes admits up to n times the figures; the per-tenant bucket keeps
 * one abused store from crowding the others). Past either: 429 {@code rate_limited}.
 */
public final class PublicBookingLimits {
  /** Buckets kept at most; beyond it the map starts over (a flood of addresses must not grow the heap). */
  static final int MAX_BUCKETS = 50_000;

  private final SchedulingSettings settings;
  private final LongSupplier nanos;
  private final Map<String, RateLimit> buckets = new ConcurrentHashMap<>();

  public PublicBookingLimits(SchedulingSettings settings, LongSupplier nanos) {
    this.settings = settings;
    this.nanos = nanos;
  }

  public void admit(String ip, String tenantId) {
    take("ip:" + ip, settings.perIpBurst(), settings.perIpPerMinute());
    take("tenant:" + tenantId, settings.perTenantBurst(), settings.perTenantPerMinute());
  }

  private void take(String key, int burst, int perMinute) {
    if (buckets.size() > MAX_BUCKETS) buckets.clear();
    long now = nanos.getAsLong();
    RateLimit bucket = buckets.computeIfAbsent(key, k -> new RateLimit(burst, perMinute / 60.0, now));
    RateLimit.Verdict verdict;
    synchronized (bucket) {
      verdict = bucket.take(now);
    }
    if (verdict != RateLimit.Verdict.ALLOWED) {
      throw ApiError.tooManyRequests("rate_limited", "Too many booking requests; try again shortly",
          Duration.ofMillis(Math.max(1000, 60_000L / perMinute)));
    }
  }
}
