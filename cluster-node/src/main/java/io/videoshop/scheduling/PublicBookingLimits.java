package io.videoshop.scheduling;

import io.videoshop.config.SchedulingSettings;
import io.videoshop.http.ClientLimits;
import java.util.function.LongSupplier;

/**
 * Token buckets for the public booking endpoints, one per client address and one per tenant, on
 * this node (so a cluster of n nodes admits up to n times the figures; the per-tenant bucket keeps
 * one abused store from crowding the others). Past either: 429 {@code rate_limited}.
 */
public final class PublicBookingLimits {
  private static final String DETAIL = "Too many booking requests; try again shortly";
  private final SchedulingSettings settings;
  private final ClientLimits buckets;

  public PublicBookingLimits(SchedulingSettings settings, LongSupplier nanos) {
    this.settings = settings;
    this.buckets = new ClientLimits(nanos);
  }

  public void admit(String ip, String tenantId) {
    buckets.take("ip:" + ip, settings.perIpBurst(), settings.perIpPerMinute(), DETAIL);
    buckets.take("tenant:" + tenantId, settings.perTenantBurst(), settings.perTenantPerMinute(), DETAIL);
  }
}
