package io.videoshop.access;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.domain.Role;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sign-in, users, invitations, API keys and widget keys: translation only. */
public final class AccessRoutes {
  private AccessRoutes() {}

  public static List<ApiRoute> routes(FirstStart firstStart, Logins logins, Users users, ApiKeys apiKeys,
      WidgetKeys widgetKeys, Blocking blocking) {
    String tenant = "/api/v1/tenants/{tenantId}";
    return List.of(
        blocking("POST", "/api/v1/setup", Access.PUBLIC, "Create the first platform operator with the printed token",
            blocking, request -> ApiResponse.created(firstStart.setup(request.caller(), request.body(FirstStart.Setup.class)))),
        new ApiRoute("POST", "/api/v1/auth/login", Access.PUBLIC, "Sign in with email and password", request ->
            blocking.run(() -> logins.login(request.caller(), request.body(Logins.Credentials.class)))
                .thenCompose(outcome -> outcome.error() == null
                    ? CompletableFuture.completedFuture(ApiResponse.ok(outcome.session()))
                    // Failed attempts are answered late, more so each time: guessing gets slow.
                    : CompletableFuture.<ApiResponse>supplyAsync(() -> { throw outcome.error(); },
                        CompletableFuture.delayedExecutor(outcome.delay().toMillis(), TimeUnit.MILLISECONDS,
                            blocking.executor())))),
        blocking("POST", "/api/v1/auth/refresh", Access.PUBLIC, "Exchange a refresh token for new tokens", blocking,
            request -> ApiResponse.ok(logins.refresh(request.caller(), request.body(Logins.RefreshRequest.class)))),
        blocking("POST", "/api/v1/auth/logout", Access.PUBLIC, "Revoke a refresh token and its family", blocking,
            request -> {
              logins.logout(request.caller(), request.body(Logins.RefreshRequest.class));
              return ApiResponse.noContent();
            }),
        blocking("POST", "/api/v1/auth/logout-everywhere", Access.SIGNED_IN,
            "Sign out on every device: end every token and socket of the signed-in user", blocking, request -> {
              logins.logoutEverywhere(request.caller());
              return ApiResponse.noContent();
            }).withoutBody(),
        blocking("POST", "/api/v1/auth/password-reset", Access.PUBLIC, "Mail a password reset token", blocking,
            request -> {
              users.requestPasswordReset(request.caller(), request.body(Users.ResetRequest.class));
              return ApiResponse.accepted(Map.of("status", "If the address has an account, a reset mail is on its way"));
            }),
        blocking("POST", "/api/v1/auth/password-reset/confirm", Access.PUBLIC, "Set a new password with a reset token",
            blocking, request -> {
              users.confirmPasswordReset(request.caller(), request.body(Users.ResetConfirmation.class));
              return ApiResponse.noContent();
            }),
        blocking("POST", "/api/v1/invitations/accept", Access.PUBLIC, "Accept an invitation and set a password",
            blocking, request -> ApiResponse.created(users.acceptInvitation(request.caller(),
                request.body(Users.AcceptInvitation.class)))),
        blocking("GET", "/api/v1/me", Access.SIGNED_IN, "Who am I", blocking, request -> ApiResponse.ok(
            request.caller().isApiKey()
                ? Map.of("kind", "api_key", "apiKeyId", request.caller().id(), "tenantId", request.caller().tenantId(),
                    "scopes", request.caller().scopes())
                : users.byId(request.caller().id())
                    .orElseThrow(() -> ApiError.notFound("user_not_found", "The signed-in user no longer exists")))),

        blocking("GET", tenant + "/users", Access.tenant(Role.ADMIN, "users:read"), "List a tenant's users", blocking,
            request -> ApiResponse.ok(users.list(request.path("tenantId")))),
        blocking("GET", tenant + "/users/{userId}", Access.tenant(Role.ADMIN, "users:read"), "Get a user", blocking,
            request -> ApiResponse.ok(users.get(request.path("tenantId"), request.path("userId")))),
        blocking("PATCH", tenant + "/users/{userId}", Access.tenantUsersOnly(Role.ADMIN), "Change a user's role",
            blocking, request -> ApiResponse.ok(users.changeRole(request.caller(), request.path("tenantId"),
                request.path("userId"), request.body(Users.ChangeRole.class)))),
        blocking("POST", tenant + "/users/{userId}/deactivate", Access.tenantUsersOnly(Role.ADMIN),
            "Deactivate a user and revoke its sessions", blocking, request -> ApiResponse.ok(users.deactivate(
                request.caller(), request.path("tenantId"), request.path("userId")))).withoutBody(),
        blocking("GET", tenant + "/invitations", Access.tenant(Role.ADMIN, "users:read"), "List invitations", blocking,
            request -> ApiResponse.ok(users.invitations(request.path("tenantId")))),
        blocking("POST", tenant + "/invitations", Access.tenant(Role.ADMIN, "users:write"), "Invite a user by email",
            blocking, request -> ApiResponse.created(users.invite(request.caller(), request.path("tenantId"),
                request.body(Users.Invite.class)))),

        blocking("GET", tenant + "/api-keys", Access.tenantUsersOnly(Role.ADMIN), "List API keys", blocking,
            request -> ApiResponse.ok(apiKeys.list(request.path("tenantId")))),
        blocking("POST", tenant + "/api-keys", Access.tenantUsersOnly(Role.ADMIN),
            "Create an API key (its secret is shown once)", blocking, request -> ApiResponse.created(apiKeys.create(
                request.caller(), request.path("tenantId"), request.body(ApiKeys.CreateApiKey.class)))),
        blocking("DELETE", tenant + "/api-keys/{keyId}", Access.tenantUsersOnly(Role.ADMIN), "Revoke an API key",
            blocking, request -> ApiResponse.ok(apiKeys.revoke(request.caller(), request.path("tenantId"),
                request.path("keyId")))),
        blocking("GET", tenant + "/api-keys/{keyId}/usage", Access.tenantUsersOnly(Role.ADMIN),
            "An API key's usage records: calls per day and route class", blocking, request -> ApiResponse.ok(apiKeys.usage(
                request.path("tenantId"), request.path("keyId")))),
        blocking("GET", tenant + "/api-usage", Access.tenantUsersOnly(Role.ADMIN),
            "Usage records of every API key of the tenant for the last days", blocking, request -> ApiResponse.ok(
                apiKeys.tenantUsage(request.path("tenantId"), request.intQuery("days", 30, 1, ApiKeys.USAGE_DAYS_MAX)))),

        blocking("GET", tenant + "/widget-keys", Access.tenant(Role.ADMIN, "widget-keys:read"), "List widget keys",
            blocking, request -> ApiResponse.ok(widgetKeys.list(request.path("tenantId")))),
        blocking("POST", tenant + "/widget-keys", Access.tenant(Role.ADMIN, "widget-keys:write"),
            "Create a widget key with its allowed origins", blocking, request -> ApiResponse.created(widgetKeys.create(
                request.caller(), request.path("tenantId"), request.body(WidgetKeys.CreateWidgetKey.class)))),
        blocking("PUT", tenant + "/widget-keys/{keyId}/origins", Access.tenant(Role.ADMIN, "widget-keys:write"),
            "Replace a widget key's allowed origins", blocking, request -> ApiResponse.ok(widgetKeys.changeOrigins(
                request.caller(), request.path("tenantId"), request.path("keyId"),
                request.body(WidgetKeys.ChangeOrigins.class)))),
        blocking("DELETE", tenant + "/widget-keys/{keyId}", Access.tenant(Role.ADMIN, "widget-keys:write"),
            "Revoke a widget key", blocking, request -> ApiResponse.ok(widgetKeys.revoke(request.caller(),
                request.path("tenantId"), request.path("keyId")))));
  }
}
