package io.videoshop.http;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One route of the HTTP API: method, path template ({@code /api/v1/tenants/{tenantId}}), who may
 * call it, and its handler. The API is built only from these entries, so the table is the
 * truth the OpenAPI test and the tenant-isolation test read.
 */
public record ApiRoute(String method, String path, Access access, String summary, Handler handler) {

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
