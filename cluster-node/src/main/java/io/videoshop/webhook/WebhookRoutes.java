package io.videoshop.webhook;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.domain.Role;
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

  /** Recovers every failed message created since a time. */
  public record Recover(java.time.Instant since) {}

  /** Replays the tenant's events since a time to the endpoint, rebuilt from the journal. */
  public record Replay(java.time.Instant since) {}

  public static List<ApiRoute> routes(WebhookEndpoints endpoints, WebhookDeliveries deliveries, WebhookReplay replay,
      Blocking blocking) {
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
                request.path("tenantId"), request.path("endpointId"))))).withoutBody(),
        blocking("POST", base + "/{endpointId}/ping", write, "Queue a ping message to the endpoint", blocking,
            request -> translate(() -> {
              endpoints.get(request.path("tenantId"), request.path("endpointId"));
              return ApiResponse.accepted(java.util.Map.of("messageId",
                  deliveries.ping(request.path("tenantId"), request.path("endpointId"))));
            })).withoutBody(),
        blocking("GET", base + "/{endpointId}/messages", read, "The endpoint's messages, newest first", blocking,
            request -> translate(() -> {
              endpoints.get(request.path("tenantId"), request.path("endpointId"));
              return ApiResponse.ok(deliveries.messages(request.path("endpointId"),
                  request.intQuery("limit", 50, 1, 200)));
            })),
        blocking("GET", base + "/{endpointId}/messages/{messageId}/attempts", read,
            "A message's attempts: outcome, HTTP status, latency, the first 2 KB of the answer", blocking,
            request -> translate(() -> {
              endpoints.get(request.path("tenantId"), request.path("endpointId"));
              return ApiResponse.ok(deliveries.attempts(request.path("endpointId"), request.path("messageId")));
            })),
        blocking("POST", base + "/{endpointId}/messages/{messageId}/resend", write,
            "Send a message again (a new message with the same body)", blocking,
            request -> translate(() -> {
              endpoints.get(request.path("tenantId"), request.path("endpointId"));
              return ApiResponse.accepted(java.util.Map.of("messageId", deliveries.resend(request.caller(),
                  request.path("tenantId"), request.path("endpointId"), request.path("messageId"))));
            })).withoutBody(),
        blocking("POST", base + "/{endpointId}/recover", write, "Retry every failed message created since a time",
            blocking, request -> translate(() -> {
              endpoints.get(request.path("tenantId"), request.path("endpointId"));
              Recover recover = request.body(Recover.class);
              if (recover == null || recover.since() == null) {
                throw WebhookRefused.invalid("since", "required", "is required");
              }
              return ApiResponse.ok(java.util.Map.of("recovered", deliveries.recoverFailed(
                  request.caller(), request.path("tenantId"), request.path("endpointId"), recover.since())));
            })),
        blocking("POST", base + "/{endpointId}/replay", write,
            "Replay the tenant's events since a time to the endpoint, rebuilt from the journal", blocking,
            request -> translate(() -> {
              endpoints.get(request.path("tenantId"), request.path("endpointId"));
              Replay body = request.body(Replay.class);
              replay.start(request.caller(), request.path("tenantId"), request.path("endpointId"),
                  body == null ? null : body.since());
              return ApiResponse.accepted(java.util.Map.of("since", body.since().toString()));
            })));
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
