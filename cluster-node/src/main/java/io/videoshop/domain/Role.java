package io.videoshop.domain;

import java.util.Locale;

/**
 * What a user may do. Tenant roles are ordered: an owner may do what an admin may, an admin what
 * an agent may. The platform operator belongs to no tenant and administers all of them.
 */
public enum Role {
  AGENT,
  ADMIN,
  OWNER,
  OPERATOR;

  public boolean atLeast(Role other) {
    return ordinal() >= other.ordinal();
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role fromWire(String value) {
    for (Role role : values()) {
      if (role.wireName().equals(value)) return role;
    }
    throw new IllegalArgumentException("unknown role " + value);
  }
}
