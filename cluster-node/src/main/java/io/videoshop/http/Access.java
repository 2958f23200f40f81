package io.videoshop.http;

import io.videoshop.domain.Role;

/** Who may call a route; the router checks it before the handler runs. */
public sealed interface Access {

  /** Anyone, signed in or not (login, password reset, the OpenAPI document). */
  record Public() implements Access {}

  /** Any signed-in user or API key. */
  record SignedIn() implements Access {}

  /** The platform operator only. */
  record OperatorOnly() implements Access {}

  /**
   * Members of the tenant named by the path's {@code {tenantId}} with at least this role (and the
   * operator). API keys of that tenant need the scope; a null scope keeps API keys out entirely.
   */
  record TenantMember(Role minimumRole, String apiKeyScope) implements Access {}

  Access PUBLIC = new Public();
  Access SIGNED_IN = new SignedIn();
  Access OPERATOR = new OperatorOnly();

  static Access tenant(Role minimumRole, String apiKeyScope) {
    return new TenantMember(minimumRole, apiKeyScope);
  }

  static Access tenantUsersOnly(Role minimumRole) {
    return new TenantMember(minimumRole, null);
  }
}
