package io.videoshop.scheduling;

import io.videoshop.config.SchedulingSettings;
import io.videoshop.http.ClusterRateLimits;
import io.videoshop.http.ClusterTakes;
import java.util.function.LongSupplier;

/**
 * Token buckets for the public booking endpoints, one per client address and one per tenant (it
 * keeps one abused store from crowding the others), over the cluster ({@link ClusterRateLimits}:
 * each node's buckets are drained by what the other nodes took, about a second late; an address
 * is shared from its second request on a node). Past either: 429 {@code rate_limited}.
 */
public final class PublicBookingLimits {
  private static final String DETAIL = "Too many booking requests; try again shortly";
  private static final String IP = "ip:";
  private static final String TENANT = "tenant:";
  private final ClusterRateLimits buckets;

  public PublicBookingLimits(SchedulingSettings settings, LongSupplier nanos) {
    ClusterRateLimits.Limit perIp = new ClusterRateLimits.Limit(settings.perIpBurst(), settings.perIpPerMinute());
    ClusterRateLimits.Limit perTenant = new ClusterRateLimits.Limit(settings.perTenantBurst(),
        settings.perTenantPerMinute());
    this.buckets = new ClusterRateLimits(key -> key.startsWith(IP) ? perIp : perTenant,
        key -> key.startsWith(IP) ? 2 : 1, nanos);
  }

  /** What this node tells the others, and where their takes go (started by {@code ClusterCountsGossip}). */
  public ClusterTakes taken() {
    return buckets.taken();
  }

  public void admit(String ip, String tenantId) {
    buckets.take(IP + ip, DETAIL);
    buckets.take(TENANT + tenantId, DETAIL);
  }
}
