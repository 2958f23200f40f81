package io.videoshop.domain;

import java.util.Set;

/**
 * Who is asking: a signed-in user (its token says its tenant and role), a merchant's server
 * (an API key of one tenant, with scopes), or nobody yet. Carried into every handler and into
 * every audit entry, with the client's address, user agent and the request's id
 * ({@code io.videoshop.http.RequestIds}; null outside a request).
 */
public record Caller(Kind kind, String id, String tenantId, Role role, Set<String> scopes, String ip, String userAgent,
    String requestId) {

  public Caller(Kind kind, String id, String tenantId, Role role, Set<String> scopes, String ip, String userAgent) {
    this(kind, id, tenantId, role, scopes, ip, userAgent, null);
  }

  public enum Kind {
    USER,
    API_KEY,
    /** The node itself (first start, scheduled work). */
    SYSTEM,
    ANONYMOUS
  }

  public static Caller system(String purpose) {
    return new Caller(Kind.SYSTEM, purpose, null, null, Set.of(), null, null);
  }

  public static Caller anonymous(String ip, String userAgent) {
    return new Caller(Kind.ANONYMOUS, null, null, null, Set.of(), ip, userAgent);
  }

  /** The same request's caller, once it is known to be this user (after login, on acceptance). */
  public Caller asUser(String userId, String userTenantId, Role userRole) {
    return new Caller(Kind.USER, userId, userTenantId, userRole, Set.of(), ip, userAgent, requestId);
  }

  /** The same caller, known to be making the request with this id. */
  public Caller withRequestId(String id) {
    return new Caller(kind, this.id, tenantId, role, scopes, ip, userAgent, id);
  }

  public boolean isOperator() {
    return kind == Kind.USER && role == Role.OPERATOR;
  }

  public boolean isApiKey() {
    return kind == Kind.API_KEY;
  }

  /** The tenant a non-operator caller belongs to may see its own resources, and only those. */
  public boolean mayAccessTenant(String tenant) {
    return isOperator() || (tenantId != null && tenantId.equals(tenant));
  }
}
