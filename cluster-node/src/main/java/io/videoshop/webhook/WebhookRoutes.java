package io.videoshop.webhook;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.access.Role;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import java.util.List;
import java.util.function.Supplier;

/** A tenant's webhook endpoints (owners and admins; API key scopes webhooks:read/write): translation only. */
public final class WebhookRoutes {
  private WebhookRoutes() {}

  public static List<ApiRoute> routes(WebhookEndpoints endpoints, Blocking blocking) {
    String base = "/api/v1/tenants/{tenantId}/webhook-endpoints";
    Access read = Access.tenant(Role.ADMIN, "webhooks:read");
    Access write = Access.tenant(Role.ADMIN, "webhooks:write");
    return List.of(
        blocking("GET", base, read, "List the tenant's webhook endpoints", blocking,
            request -> translate(() -> ApiResponse.ok(endpoints.list(request.path("tenantId"))))),
        blocking("POST", base, write, "Register a webhook endpoint; its signing secret is shown once", blocking,
            request -> translate(() -> ApiResponse.created(endpoints.create(request.caller(),
                request.path("tenantId"), request.body(WebhookEndpoints.EndpointRequest.class))))),
        blocking("GET", base + "/{endpointId}", read, "Get a webhook endpoint", blocking,
            request -> translate(() -> ApiResponse.ok(endpoints.get(request.path("tenantId"),
                request.path("endpointId"))))),
        blocking("PUT", base + "/{endpointId}", write, "Replace a webhook endpoint's URL, types and switches",
            blocking, request -> translate(() -> ApiResponse.ok(endpoints.replace(request.caller(),
                request.path("tenantId"), request.path("endpointId"),
                request.body(WebhookEndpoints.EndpointRequest.class))))),
        blocking("DELETE", base + "/{endpointId}", write, "Delete a webhook endpoint", blocking,
            request -> translate(() -> {
              endpoints.delete(request.caller(), request.path("tenantId"), request.path("endpointId"));
              return ApiResponse.noContent();
            })),
        blocking("POST", base + "/{endpointId}/rotate-secret", write,
            "A new signing secret, shown once; the old one keeps signing for 24 hours", blocking,
            request -> translate(() -> ApiResponse.ok(endpoints.rotateSecret(request.caller(),
                request.path("tenantId"), request.path("endpointId"))))).withoutBody());
  }

  private static ApiResponse translate(Supplier<ApiResponse> handler) {
    try {
      return handler.get();
    } catch (WebhookRefused refused) {
      throw switch (refused.reason()) {
        case INVALID -> ApiError.invalid(refused.field(), refused.code(), refused.getMessage());
        case NOT_FOUND -> ApiError.notFound(refused.code(), refused.getMessage());
        case LIMIT_REACHED -> ApiError.conflict(refused.code(), refused.getMessage());
      };
    }
  }
}
