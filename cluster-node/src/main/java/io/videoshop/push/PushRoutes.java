package io.videoshop.push;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import io.videoshop.domain.FieldError;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** The platform's push key and a user's own push subscriptions and opt-out: translation only. */
public final class PushRoutes {
  private PushRoutes() {}

  public static List<ApiRoute> routes(VapidKeys keys, PushSubscriptions subscriptions, Blocking blocking) {
    String mine = "/api/v1/me/push-subscriptions";
    return List.of(
        new ApiRoute("GET", "/api/v1/push/public-key", Access.PUBLIC,
            "The platform's VAPID public key (the browser's applicationServerKey)",
            request -> CompletableFuture.completedFuture(
                ApiResponse.ok(Map.of("publicKey", keys.publicKeyBase64Url())))),
        blocking("GET", mine, Access.SIGNED_IN, "List the browsers you subscribed to push", blocking,
            request -> translate(() -> ApiResponse.ok(subscriptions.list(request.caller())))),
        blocking("POST", mine, Access.SIGNED_IN, "Subscribe this browser to push (a PushSubscription's JSON)",
            blocking, request -> translate(() -> ApiResponse.created(subscriptions.subscribe(request.caller(),
                request.body(PushSubscriptions.Subscribe.class))))),
        blocking("DELETE", mine + "/{subscriptionId}", Access.SIGNED_IN, "Remove one of your push subscriptions",
            blocking, request -> translate(() -> {
              subscriptions.remove(request.caller(), request.path("subscriptionId"));
              return ApiResponse.noContent();
            })),
        blocking("GET", "/api/v1/me/push-preferences", Access.SIGNED_IN, "Whether you receive push", blocking,
            request -> translate(() -> ApiResponse.ok(subscriptions.preferences(request.caller())))),
        blocking("PUT", "/api/v1/me/push-preferences", Access.SIGNED_IN, "Turn push on or off for yourself",
            blocking, request -> translate(() -> ApiResponse.ok(subscriptions.changePreferences(request.caller(),
                request.body(PushSubscriptions.ChangePreferences.class))))));
  }

  private static ApiResponse translate(Supplier<ApiResponse> handler) {
    try {
      return handler.get();
    } catch (PushRefused refused) {
      throw switch (refused.reason()) {
        case INVALID -> ApiError.invalid(refused.field(), refused.code(), refused.getMessage());
        case ENDPOINT_NOT_ALLOWED -> new ApiError(StatusCodes.UNPROCESSABLE_ENTITY, refused.code(), refused.getMessage(),
            List.of(new FieldError("endpoint", refused.code(), refused.getMessage())), null);
        case LIMIT_REACHED -> ApiError.conflict(refused.code(), refused.getMessage());
        case NOT_FOUND -> ApiError.notFound(refused.code(), refused.getMessage());
        case NOT_A_USER -> new ApiError(StatusCodes.FORBIDDEN, refused.code(), refused.getMessage());
      };
    }
  }
}
