package io.videoshop.tenant;

import java.time.Instant;

/** A merchant's workspace as the API shows it. */
public record Tenant(
    String id, String slug, String name, String status, String plan, TenantSettings settings,
    Instant createdAt, Instant updatedAt, long version) {

  public static final String ACTIVE = "active";
  public static final String SUSPENDED = "suspended";

  public boolean suspended() {
    return SUSPENDED.equals(status);
  }
}
