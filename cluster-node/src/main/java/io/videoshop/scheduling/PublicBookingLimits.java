package io.videoshop.scheduling;

import io.videoshop.config.SchedulingSettings;
import io.videoshop.http.ClientLimits;
import io.videoshop.http.ClusterTakes;
import java.util.function.LongSupplier;

/**
 * Token buckets for the public booking endpoints, one per client address and one per tenant (it
 * keeps one abused store from crowding the others), over the cluster: each node's buckets are
 * drained by what the other nodes took ({@link ClusterTakes}, about a second late; an address is
 * shared from its second request on a node). Past either: 429 {@code rate_limited}.
 */
public final class PublicBookingLimits {
  private static final String DETAIL = "Too many booking requests; try again shortly";
  private static final String IP = "ip:";
  private static final String TENANT = "tenant:";
  /** A key without a take for this long is not shared any more: a bucket refills within a minute. */
  private static final long FORGET_AFTER_NANOS = 120_000_000_000L;
  private final SchedulingSettings settings;
  private final ClientLimits buckets;
  private final ClusterTakes taken;

  public PublicBookingLimits(SchedulingSettings settings, LongSupplier nanos) {
    this.settings = settings;
    this.buckets = new ClientLimits(nanos);
    this.taken = new ClusterTakes(key -> key.startsWith(IP) ? 2 : 1, FORGET_AFTER_NANOS, nanos, this::drain);
  }

  /** What this node tells the others, and where their takes go (started by {@code ClusterCountsGossip}). */
  public ClusterTakes taken() {
    return taken;
  }

  public void admit(String ip, String tenantId) {
    buckets.take(IP + ip, settings.perIpBurst(), settings.perIpPerMinute(), DETAIL);
    taken.took(IP + ip);
    buckets.take(TENANT + tenantId, settings.perTenantBurst(), settings.perTenantPerMinute(), DETAIL);
    taken.took(TENANT + tenantId);
  }

  private void drain(String key, long count) {
    if (key.startsWith(IP)) {
      buckets.drain(key, count, settings.perIpBurst(), settings.perIpPerMinute());
    } else {
      buckets.drain(key, count, settings.perTenantBurst(), settings.perTenantPerMinute());
    }
  }
}
