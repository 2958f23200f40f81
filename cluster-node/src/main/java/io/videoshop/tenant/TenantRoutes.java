package io.videoshop.tenant;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.domain.Role;
import io.videoshop.http.Access;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Tenant routes: translation only, the rules live in {@link Tenants}. */
public final class TenantRoutes {
  private TenantRoutes() {}

  public static List<ApiRoute> routes(Jdbi jdbi, Tenants tenants, Blocking blocking) {
    String one = "/api/v1/tenants/{tenantId}";
    return List.of(
        blocking("POST", "/api/v1/tenants", Access.OPERATOR, "Create a tenant", blocking, request ->
            ApiResponse.created(jdbi.inTransaction(handle ->
                tenants.create(handle, request.caller(), request.body(Tenants.CreateTenant.class))))),
        blocking("GET", "/api/v1/tenants", Access.OPERATOR, "List tenants", blocking, request ->
            ApiResponse.ok(tenants.list(request.intQuery("limit", 100, 1, 500), request.intQuery("offset", 0, 0, 1_000_000)))),
        blocking("GET", one, Access.tenant(Role.AGENT, "tenant:read"), "Get a tenant and its settings", blocking,
            request -> ApiResponse.ok(jdbi.withHandle(handle -> tenants.get(handle, request.path("tenantId"))))),
        blocking("PATCH", one, Access.tenant(Role.ADMIN, "tenant:write"), "Rename a tenant", blocking, request ->
            ApiResponse.ok(tenants.rename(request.caller(), request.path("tenantId"), request.body(Tenants.Rename.class)))),
        blocking("PUT", one + "/settings", Access.tenant(Role.ADMIN, "tenant:write"), "Replace a tenant's settings",
            blocking, request -> ApiResponse.ok(tenants.replaceSettings(request.caller(), request.path("tenantId"),
                request.body(TenantSettings.class)))),
        blocking("PUT", one + "/widget-appearance", Access.tenant(Role.ADMIN, "tenant:write"),
            "Replace how the tenant's widget looks", blocking, request -> ApiResponse.ok(tenants.changeWidgetAppearance(
                request.caller(), request.path("tenantId"), request.body(WidgetAppearance.class)).settings().widgetAppearance())),
        blocking("POST", one + "/suspend", Access.OPERATOR, "Suspend a tenant", blocking, request ->
            ApiResponse.ok(tenants.suspend(request.caller(), request.path("tenantId")))).withoutBody(),
        blocking("POST", one + "/reactivate", Access.OPERATOR, "Reactivate a suspended tenant", blocking, request ->
            ApiResponse.ok(tenants.reactivate(request.caller(), request.path("tenantId")))).withoutBody());
  }
}
