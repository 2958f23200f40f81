package io.videoshop.access;

import io.videoshop.domain.Role;
import java.time.Instant;

/** A person who signs in: a tenant's owner, admin or agent, or the platform operator (no tenant). */
public record User(String id, String tenantId, String email, String displayName, String role, String status,
    Instant createdAt, Instant updatedAt) {

  public static final String ACTIVE = "active";
  public static final String DEACTIVATED = "deactivated";

  public Role roleEnum() {
    return Role.fromWire(role);
  }

  public boolean active() {
    return ACTIVE.equals(status);
  }
}
