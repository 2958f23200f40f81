package io.videoshop.node;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /health/alive} and {@code /health/ready}: translation only ({@code /metrics} is on the management port). */
final class HealthRoutes {

  private static final Readiness.Report ALIVE = new Readiness.Report("alive", Map.of());

  private HealthRoutes() {}

  private static HttpResponse json(StatusCode status, Readiness.Report report) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, report.toJson()));
  }

  static Route route(Readiness readiness) {
    return get(() ->
        pathPrefix("health", () -> concat(
            path("alive", () -> complete(json(StatusCodes.OK, ALIVE))),
            path("ready", () -> completeWithFuture(readiness.check().thenApply(report ->
                json(report.isReady() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, report)))))));
  }
}
