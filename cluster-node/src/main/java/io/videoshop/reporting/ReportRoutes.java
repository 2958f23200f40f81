package io.videoshop.reporting;

import io.videoshop.domain.Role;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiRequest;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The reports' HTTP routes: parse the query, ask {@link Reports}, render JSON or CSV. Owners and
 * admins see the whole tenant; an agent sees their own figures (the query is narrowed to them).
 */
public final class ReportRoutes {
  static final String CSV = "text/csv; charset=utf-8";
  private static final String BASE = "/api/v1/tenants/{tenantId}/reports";

  private ReportRoutes() {}

  /** The settings body: the tenant's service-level threshold T in seconds. */
  public record SettingsBody(Integer serviceLevelSeconds) {}

  public static List<ApiRoute> routes(Reports reports, Blocking blocking) {
    Access own = Access.tenant(Role.AGENT, "reports:read");
    Access admin = Access.tenant(Role.ADMIN, "reports:read");
    return List.of(
        route("GET", "/summary", own, "Queue, agent, call, feedback and commerce figures over a date range, in "
            + "day, week or month buckets", blocking, request -> ApiResponse.ok(reports.summary(query(reports, request)))),
        route("GET", "/summary.csv", own, "The summary as CSV, one row per bucket and a total row", blocking,
            request -> ApiResponse.text(CSV, ReportCsv.summary(reports.summary(query(reports, request))))),
        route("GET", "/agents", own, "The figures per agent over a date range", blocking,
            request -> ApiResponse.ok(reports.agents(query(reports, request)))),
        route("GET", "/agents.csv", own, "The per-agent table as CSV", blocking,
            request -> ApiResponse.text(CSV, ReportCsv.agents(reports.agents(query(reports, request))))),
        route("GET", "/heatmap", admin, "Queued, answered, abandoned and waits by hour of week", blocking,
            request -> ApiResponse.ok(reports.heatMap(query(reports, request)))),
        route("GET", "/heatmap.csv", admin, "The heat map as CSV, one row per hour of week", blocking,
            request -> ApiResponse.text(CSV, ReportCsv.heatMap(reports.heatMap(query(reports, request))))),
        route("GET", "/calls", own, "The row-level list of calls behind the figures, oldest first", blocking,
            request -> ApiResponse.ok(reports.calls(query(reports, request), request.intQuery("limit", 100, 1, 1_000),
                request.intQuery("offset", 0, 0, Reports.MAX_CALL_ROWS)))),
        route("GET", "/calls.csv", own, "The row-level list of calls as CSV (at most 100,000 rows)", blocking,
            request -> ApiResponse.text(CSV, ReportCsv.calls(
                reports.calls(query(reports, request), Reports.MAX_CALL_ROWS, 0).items()))),
        route("GET", "/live", admin, "Shoppers waiting now and the longest wait, agents by presence, calls in progress",
            blocking, request -> ApiResponse.ok(reports.live(request.path("tenantId"), java.time.Instant.now()))),
        route("GET", "/settings", admin, "The tenant's service-level threshold T", blocking,
            request -> ApiResponse.ok(new Reports.ServiceLevel(reports.serviceLevelSeconds(request.path("tenantId"))))),
        route("PUT", "/settings", Access.tenantUsersOnly(Role.ADMIN), "Sets the tenant's service-level threshold T",
            blocking, request -> ApiResponse.ok(reports.setServiceLevel(request.path("tenantId"),
                body(request).serviceLevelSeconds()))));
  }

  private static SettingsBody body(ApiRequest request) {
    SettingsBody body = request.body(SettingsBody.class);
    if (body == null) throw ApiError.badRequest("missing_body", "A body with serviceLevelSeconds is required");
    return body;
  }

  private static ReportQuery query(Reports reports, ApiRequest request) {
    return reports.query(request.caller(), request.path("tenantId"), request::query);
  }

  private static ApiRoute route(String method, String path, Access access, String summary, Blocking blocking,
      Function<ApiRequest, ApiResponse> handler) {
    return ApiRoute.blocking(method, BASE + path, access, summary, blocking, request -> {
      try {
        return handler.apply(request);
      } catch (ReportQueryException e) {
        throw switch (e.kind()) {
          case FORBIDDEN -> ApiError.forbidden(e.code(), e.getMessage());
          case NOT_FOUND -> ApiError.notFound(e.code(), e.getMessage());
          case INVALID -> ApiError.badRequest(e.code(), e.getMessage());
        };
      }
    });
  }

}
