package io.videoshop.notification;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.domain.Caller;
import io.videoshop.domain.Role;
import io.videoshop.audit.AuditLog;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import io.videoshop.domain.FieldError;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.jdbi.v3.core.Jdbi;

/** The notification API: templates and their preview, mail settings, the outbox, preferences, unsubscribe. */
public final class NotificationRoutes {
  private static final List<String> STATUSES = List.of(Outbox.PENDING, Outbox.DELIVERED, Outbox.DEAD, Outbox.GONE);

  private NotificationRoutes() {}

  public static List<ApiRoute> routes(Jdbi jdbi, Mails mails, Outbox outbox, AuditLog audit, Blocking blocking) {
    Preferences preferences = new Preferences(jdbi, mails, audit);
    return List.of(
        blocking("GET", "/api/v1/tenants/{tenantId}/mail-templates", Access.tenantUsersOnly(Role.ADMIN),
            "List the mail templates", blocking,
            request -> ApiResponse.ok(MailTemplates.ALL.stream().map(template -> Map.of("name", template.name(),
                "essential", template.essential(), "languages", MailTemplates.LANGUAGES)).toList())),
        blocking("GET", "/api/v1/tenants/{tenantId}/mail-templates/{template}/preview", Access.tenantUsersOnly(Role.ADMIN),
            "Render a mail template with sample data and the tenant's branding", blocking,
            request -> translated(() -> ApiResponse.ok(mails.preview(request.path("tenantId"), request.path("template"),
                request.query("language").orElse(null))))),
        blocking("GET", "/api/v1/tenants/{tenantId}/mail-settings", Access.tenantUsersOnly(Role.ADMIN),
            "The tenant's mail sender name, reply-to and colour", blocking,
            request -> ApiResponse.ok(mails.settingsOf(request.path("tenantId")))),
        blocking("PUT", "/api/v1/tenants/{tenantId}/mail-settings", Access.tenantUsersOnly(Role.ADMIN),
            "Replace the tenant's mail sender name, reply-to and colour", blocking,
            request -> translated(() -> {
              Mails.MailSettings body = request.body(Mails.MailSettings.class);
              String tenantId = request.path("tenantId");
              return ApiResponse.ok(jdbi.inTransaction(handle -> {
                Mails.MailSettings before = mails.settingsOf(tenantId);
                Mails.MailSettings after = mails.replaceSettings(handle, tenantId, body);
                audit.record(handle, request.caller(), new AuditLog.Change(tenantId, "mail_settings.replaced",
                    "tenant", tenantId, before, after));
                return after;
              }));
            })),
        blocking("GET", "/api/v1/tenants/{tenantId}/outbox", Access.tenantUsersOnly(Role.ADMIN),
            "The tenant's outbox rows in one status (dead letters by default), newest first; never their content",
            blocking, request -> {
              String status = request.query("status").orElse(Outbox.DEAD);
              if (!STATUSES.contains(status)) {
                throw ApiError.invalid("status", "invalid_status", "must be one of " + STATUSES);
              }
              return ApiResponse.ok(outbox.entries(request.path("tenantId"), status,
                  request.intQuery("limit", 100, 1, 500)));
            }),
        blocking("GET", "/api/v1/me/notification-preferences", Access.SIGNED_IN,
            "The signed-in user's language and opt-outs", blocking,
            request -> ApiResponse.ok(preferences.of(userOf(request.caller())))),
        blocking("PUT", "/api/v1/me/notification-preferences", Access.SIGNED_IN,
            "Replace the signed-in user's language and opt-outs", blocking,
            request -> translated(() -> ApiResponse.ok(preferences.replace(request.caller(), userOf(request.caller()),
                request.body(Preferences.Choice.class))))),
        blocking("POST", "/api/v1/unsubscribe", Access.PUBLIC,
            "Unsubscribe the mail's address from its tenant's non-essential mail (the mail's link; no account needed)",
            blocking, request -> translated(() -> {
              mails.unsubscribe(request.query("token").orElse(null));
              return ApiResponse.ok(Map.of("status", "unsubscribed"));
            })));
  }

  private static String userOf(Caller caller) {
    if (caller.kind() != Caller.Kind.USER) {
      throw ApiError.forbidden("users_only", "Only a signed-in user has notification preferences");
    }
    return caller.id();
  }

  /** Domain refusals to problems. */
  static ApiResponse translated(Supplier<ApiResponse> work) {
    try {
      return work.get();
    } catch (NotificationRefused refused) {
      if (refused.reason() == NotificationRefused.Reason.NOT_FOUND) {
        throw new ApiError(StatusCodes.NOT_FOUND, refused.code(), refused.getMessage());
      }
      throw ApiError.invalid(List.of(new FieldError(refused.field(), refused.code(), refused.getMessage())));
    }
  }
}
