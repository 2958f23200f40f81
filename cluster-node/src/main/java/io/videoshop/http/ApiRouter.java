package io.videoshop.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import io.videoshop.domain.Caller;
import io.videoshop.domain.Role;
import io.videoshop.config.TrustedProxies;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the {@link ApiRoute} table under {@code /api/v1}: matches the path template, answers 404
 * and 405 as problems, authenticates, enforces {@link Access} (tenant first, so another tenant's
 * resources are 404, then role or scope, 403), calls the handler and writes JSON or problem+json.
 */
public final class ApiRouter {
  private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);

  /**
   * Authenticates a request from its headers: an anonymous caller when it carries no credentials.
   * An API key's call counts under {@code routeClass} ({@link ApiRoute#routeClass}).
   */
  @FunctionalInterface
  public interface Authenticator {
    CompletionStage<Caller> authenticate(String authorization, String apiKey, String routeClass, String ip, String userAgent);
  }

  private final List<ApiRoute> table;
  private final Authenticator authenticator;
  private final TrustedProxies trustedProxies;

  public ApiRouter(List<ApiRoute> table, Authenticator authenticator, TrustedProxies trustedProxies) {
    this.table = List.copyOf(table);
    this.authenticator = authenticator;
    this.trustedProxies = trustedProxies;
  }

  public List<ApiRoute> table() {
    return table;
  }

  public Route route() {
    return pathPrefix("api", () -> pathPrefix("v1", () -> handleRejections(UNREADABLE_BODY, () -> handleExceptions(PROBLEMS, () ->
        extractRequest(request ->
            entity(Unmarshaller.entityToString(), body ->
                completeWithFuture(serve(request, clientAddress(request, trustedProxies), body))))))));
  }

  private CompletionStage<HttpResponse> serve(HttpRequest request, String ip, String body) {
    try {
      String path = request.getUri().path();
      List<String> segments = segments(path);
      Set<String> allowed = new LinkedHashSet<>();
      for (ApiRoute route : table) {
        Map<String, String> params = match(segments(route.path()), segments);
        if (params == null) continue;
        if (!route.method().equals(request.method().name())) {
          allowed.add(route.method());
          continue;
        }
        String requestId = RequestIds.of(request);
        return call(route, params, request, ip, body, requestId)
            .exceptionally(failure -> RequestIds.withMdc(requestId, () -> problemFor(failure)));
      }
      if (!allowed.isEmpty()) {
        return CompletableFuture.completedFuture(problem(new ApiError(StatusCodes.METHOD_NOT_ALLOWED,
            "method_not_allowed", request.method().name() + " is not allowed here; allowed: " + allowed))
            .addHeader(RawHeader.create("Allow", String.join(", ", allowed))));
      }
      throw ApiError.notFound("not_found", "No such route: " + path);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(problemFor(e));
    }
  }

  private CompletionStage<HttpResponse> call(ApiRoute route, Map<String, String> params, HttpRequest request,
      String ip, String body, String requestId) {
    Map<String, String> headers = headers(request);
    String userAgent = headers.getOrDefault("user-agent", "");
    return authenticator.authenticate(headers.get("authorization"), headers.get("x-api-key"), route.routeClass(), ip,
            userAgent)
        .thenCompose(authenticated -> RequestIds.withMdc(requestId, () -> {
          Caller caller = authenticated.withRequestId(requestId);
          authorize(route, caller, params);
          if (!route.takesBody() && body != null && !body.isEmpty()) {
            throw ApiError.badRequest("unexpected_body", route.method() + " " + route.path() + " takes no body");
          }
          ApiRequest apiRequest = new ApiRequest(caller, params, query(request), body, headers);
          return route.handler().handle(apiRequest);
        }))
        .thenApply(ApiRouter::render);
  }

  /** The shared authorization rule; handlers still scope every query by tenant. */
  static void authorize(ApiRoute route, Caller caller, Map<String, String> params) {
    if (route.access() instanceof Access.Public) return;
    if (caller.kind() == Caller.Kind.ANONYMOUS) {
      throw ApiError.unauthorized("unauthenticated", "Sign in: send a bearer token or an API key");
    }
    String tenantId = params.get("tenantId");
    if (tenantId != null && !caller.mayAccessTenant(tenantId)) {
      throw ApiError.notFound("tenant_not_found", "No tenant " + tenantId);
    }
    if (route.access() instanceof Access.OperatorOnly && !caller.isOperator()) {
      throw ApiError.forbidden("operator_only", "Only the platform operator may do this");
    }
    if (route.access() instanceof Access.TenantMember member && !caller.isOperator()) {
      if (caller.isApiKey()) {
        if (member.apiKeyScope() == null) {
          throw ApiError.forbidden("api_key_not_allowed", "API keys may not do this; sign in as a user");
        }
        if (!caller.scopes().contains(member.apiKeyScope())) {
          throw ApiError.forbidden("insufficient_scope", "The API key lacks the scope " + member.apiKeyScope());
        }
      } else if (!caller.role().atLeast(member.minimumRole())) {
        throw ApiError.forbidden("forbidden", "This needs the role " + member.minimumRole().wireName()
            + (member.minimumRole() == Role.OWNER ? "" : " or higher"));
      }
    }
  }

  private static HttpResponse render(ApiResponse response) {
    HttpResponse http = HttpResponse.create().withStatus(response.status());
    if (response.body() != null) {
      http = response.contentType() != null
          ? http.withEntity(HttpEntities.create(ContentTypes.parse(response.contentType()),
              response.body() instanceof byte[] bytes ? bytes : response.body().toString().getBytes(StandardCharsets.UTF_8)))
          : http.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.write(response.body())));
    }
    for (Map.Entry<String, String> header : response.headers().entrySet()) {
      http = http.addHeader(RawHeader.create(header.getKey(), header.getValue()));
    }
    return http;
  }

  private static final ContentType PROBLEM_JSON = ContentTypes.parse("application/problem+json");

  public static HttpResponse problem(ApiError error) {
    HttpResponse response = HttpResponse.create().withStatus(error.status())
        .withEntity(HttpEntities.create(PROBLEM_JSON, Json.write(Problem.of(error)).getBytes(StandardCharsets.UTF_8)));
    if (error.retryAfter() != null) {
      response = response.addHeader(RawHeader.create("Retry-After",
          Long.toString(Math.max(1, (error.retryAfter().toMillis() + 999) / 1000))));
    }
    if (error.status().intValue() == 401) {
      response = response.addHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"videoshop\""));
    }
    return response;
  }

  /** A domain's refusal, as {@link ApiError#of} maps it. */
  public static HttpResponse problem(io.videoshop.domain.DomainError error) {
    return problem(ApiError.of(error));
  }

  static HttpResponse problemFor(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof ApiError error) return problem(error);
    if (cause instanceof io.videoshop.domain.DomainError error) return problem(ApiError.of(error));
    log.error("Unexpected failure serving a request", cause);
    return problem(new ApiError(StatusCodes.INTERNAL_SERVER_ERROR, "internal_error",
        "Something went wrong on our side; it has been logged"));
  }

  /** Failures before the table is reached, e.g. a body over the size limit. */
  private static final ExceptionHandler PROBLEMS = ExceptionHandler.newBuilder()
      .match(org.apache.pekko.http.scaladsl.model.EntityStreamSizeException.class, e ->
          complete(problem(new ApiError(StatusCodes.PAYLOAD_TOO_LARGE, "body_too_large",
              "The body is larger than the limit of " + e.limit() + " bytes"))))
      .match(ApiError.class, e -> complete(problem(e)))
      .match(io.videoshop.domain.DomainError.class, e -> complete(problem(ApiError.of(e))))
      .build();

  /** The body could not be read: over the size limit (413) or not text (400). */
  private static final RejectionHandler UNREADABLE_BODY = RejectionHandler.newBuilder()
      .handle(MalformedRequestContentRejection.class, rejection -> complete(
          rejection.getCause() instanceof org.apache.pekko.http.scaladsl.model.EntityStreamSizeException tooLarge
              ? problem(new ApiError(StatusCodes.PAYLOAD_TOO_LARGE, "body_too_large",
                  "The body is larger than the limit of " + tooLarge.limit() + " bytes"))
              : problem(ApiError.badRequest("unreadable_body", "The body cannot be read: " + rejection.message()))))
      .build();

  static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty()) segments.add(segment);
    }
    return segments;
  }

  /** Path parameters when the template matches, else null. */
  static Map<String, String> match(List<String> template, List<String> actual) {
    if (template.size() != actual.size()) return null;
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < template.size(); i++) {
      String expected = template.get(i);
      String segment = URLDecoder.decode(actual.get(i), StandardCharsets.UTF_8);
      if (expected.startsWith("{") && expected.endsWith("}")) {
        params.put(expected.substring(1, expected.length() - 1), segment);
      } else if (!expected.equals(segment)) {
        return null;
      }
    }
    return params;
  }

  private static Map<String, String> headers(HttpRequest request) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (HttpHeader header : request.getHeaders()) headers.putIfAbsent(header.lowercaseName(), header.value());
    return headers;
  }

  private static Map<String, List<String>> query(HttpRequest request) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    request.getUri().query().toMultiMap().forEach((name, values) -> query.put(name, List.copyOf(values)));
    return query;
  }

  /** The client's address: the connection's peer, or what trusted proxies forwarded ({@link TrustedProxies}). */
  public static String clientAddress(HttpRequest request, TrustedProxies trustedProxies) {
    Optional<InetAddress> peer = request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
    if (peer.isEmpty()) return "unknown";
    List<String> forwardedFor = new ArrayList<>();
    for (HttpHeader header : request.getHeaders()) {
      if (header.is("x-forwarded-for")) forwardedFor.add(header.value());
    }
    return trustedProxies.client(peer.get(), forwardedFor).getHostAddress();
  }
}
