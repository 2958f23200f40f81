package io.videoshop.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a client address, a tenant) for public entry points, on this node; with
 * {@link #drain} fed by {@link ClusterTakes} ({@link ClusterRateLimits}) they follow the whole
 * cluster's takes. Past a bucket: 429 {@code rate_limited} with a Retry-After of one refill.
 */
public final class ClientLimits {
  /** Buckets kept at most; beyond it the map starts over (a flood of addresses must not grow the heap). */
  static final int MAX_BUCKETS = 50_000;

  private final LongSupplier nanos;
  private final Map<String, RateLimit> buckets = new ConcurrentHashMap<>();

  public ClientLimits(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /** Takes one from {@code key}'s bucket ({@code burst} at once, {@code perMinute} refilled), else 429. */
  public void take(String key, int burst, int perMinute, String detail) {
    if (!tryTake(key, burst, perMinute)) {
      throw ApiError.tooManyRequests("rate_limited", detail, Duration.ofMillis(Math.max(1000, 60_000L / perMinute)));
    }
  }

  /** Takes one from {@code key}'s bucket if it has one; false (nothing taken) if not. */
  public boolean tryTake(String key, int burst, int perMinute) {
    long now = nanos.getAsLong();
    RateLimit bucket = bucket(key, burst, perMinute, now);
    synchronized (bucket) {
      return bucket.take(now) == RateLimit.Verdict.ALLOWED;
    }
  }

  /** Takes {@code count} from {@code key}'s bucket without asking: what other nodes took from it. */
  public void drain(String key, long count, int burst, int perMinute) {
    long now = nanos.getAsLong();
    RateLimit bucket = bucket(key, burst, perMinute, now);
    synchronized (bucket) {
      bucket.drain(count, now);
    }
  }

  private RateLimit bucket(String key, int burst, int perMinute, long now) {
    if (buckets.size() > MAX_BUCKETS) buckets.clear();
    return buckets.computeIfAbsent(key, k -> new RateLimit(burst, perMinute / 60.0, now));
  }
}
