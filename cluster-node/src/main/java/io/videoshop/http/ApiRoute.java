package io.videoshop.http;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One route of the HTTP API: method, path template ({@code /api/v1/tenants/{tenantId}}), who may
 * call it, and its handler. The API is built only from these entries, so the table is the
 * truth the OpenAPI test, the tenant-isolation test and the abuse suite read.
 *
 * @param takesBody false: a request with a body is refused (400 {@code unexpected_body}) before
 *     the handler runs, so a body meant for another route never passes unread; GET and DELETE
 *     take none, other methods one unless {@link #withoutBody()}
 */
public record ApiRoute(String method, String path, Access access, String summary, Handler handler, boolean takesBody) {

  public ApiRoute(String method, String path, Access access, String summary, Handler handler) {
    this(method, path, access, summary, handler, !"GET".equals(method) && !"DELETE".equals(method));
  }

  /**
   * What an API key's call of this route counts as in the key's usage records: the scope the
   * route asks of keys (e.g. {@code calls:read}), else {@code other}.
   */
  public String routeClass() {
    return access instanceof Access.TenantMember member && member.apiKeyScope() != null ? member.apiKeyScope() : "other";
  }

  /** The same route, refusing any body (an action such as suspend, named by its path alone). */
  public ApiRoute withoutBody() {
    return new ApiRoute(method, path, access, summary, handler, false);
  }

  @FunctionalInterface
  public interface Handler {
    CompletionStage<ApiResponse> handle(ApiRequest request);
  }

  /** A route whose handler does blocking work (JDBC): it runs on the blocking dispatcher. */
  public static ApiRoute blocking(String method, String path, Access access, String summary, Blocking blocking,
      Function<ApiRequest, ApiResponse> handler) {
    return new ApiRoute(method, path, access, summary, request -> blocking.run(() -> handler.apply(request)));
  }
}
