package io.videoshop.audit;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.domain.Role;
import io.videoshop.http.Access;
import io.videoshop.http.ApiRequest;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import java.util.List;
import java.util.Optional;

/**
 * Reading the audit log: the operator across tenants, owners and admins their own tenant's. There
 * is deliberately no route that edits or deletes an entry.
 */
public final class AuditRoutes {
  private AuditRoutes() {}

  public static List<ApiRoute> routes(AuditLog audit, Blocking blocking) {
    return List.of(
        blocking("GET", "/api/v1/audit", Access.OPERATOR, "Page through the audit log of every tenant", blocking,
            request -> ApiResponse.ok(audit.page(filter(request, request.query("tenantId"))))),
        blocking("GET", "/api/v1/tenants/{tenantId}/audit", Access.tenant(Role.ADMIN, "audit:read"),
            "Page through a tenant's audit log", blocking,
            request -> ApiResponse.ok(audit.page(filter(request, Optional.of(request.path("tenantId")))))));
  }

  private static AuditLog.Filter filter(ApiRequest request, Optional<String> tenantId) {
    return new AuditLog.Filter(tenantId, request.query("actorId"), request.query("action"), request.query("targetId"),
        request.query("requestId"), request.instantQuery("from"), request.instantQuery("to"),
        request.query("cursor").map(cursor -> (long) request.intQuery("cursor", 0, 1, Integer.MAX_VALUE)),
        request.intQuery("limit", 50, 1, AuditLog.MAX_PAGE));
  }

}
