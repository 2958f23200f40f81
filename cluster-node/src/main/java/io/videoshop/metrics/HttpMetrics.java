package io.videoshop.metrics;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Times every HTTP request by method, status and the route template it matched. Labels come
 * from templates only (the API's route table and the node's fixed pages and sockets): a made-up
 * path, an id or an unusual method can never create a new time series.
 */
public final class HttpMetrics {
  /** The label of every path no template matches. */
  public static final String UNMATCHED = "unmatched";
  /** The routes outside {@code /api/v1}, as templates ({@code {name}}: any one segment). */
  public static final List<String> FIXED_TEMPLATES = List.of("/", "/health/alive", "/health/ready",
      "/ws/widget", "/ws/agent", "/ws/room", "/ws/live", "/widget.js", "/widget/status", "/widget/config", "/widget/preview", "/demo", "/console", "/web/{asset}");
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private static final Duration[] BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  private HttpMetrics() {}

  /** @param apiTemplates the API route table's paths */
  public static Route timed(MeterRegistry registry, List<String> apiTemplates, Route inner) {
    List<List<String>> templates = new ArrayList<>();
    for (String template : apiTemplates) templates.add(segments(template));
    for (String template : FIXED_TEMPLATES) templates.add(segments(template));
    return extractRequest(request -> {
      long started = System.nanoTime();
      return mapResponse(response -> {
        String method = request.method().name();
        Timer.builder("http_server_requests")
            .description("HTTP requests served")
            .tag("method", METHODS.contains(method) ? method : "other")
            .tag("status", Integer.toString(response.status().intValue()))
            .tag("path", response.status().intValue() == 404 ? UNMATCHED : template(templates, request))
            .serviceLevelObjectives(BUCKETS)
            .register(registry)
            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return response;
      }, () -> inner);
    });
  }

  static String template(List<List<String>> templates, HttpRequest request) {
    List<String> path = segments(request.getUri().path());
    for (List<String> template : templates) {
      if (template.size() != path.size()) continue;
      boolean matches = true;
      for (int i = 0; i < template.size() && matches; i++) {
        String expected = template.get(i);
        matches = expected.startsWith("{") || expected.equals(path.get(i));
      }
      if (matches) return "/" + String.join("/", template);
    }
    return UNMATCHED;
  }

  private static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty()) segments.add(segment);
    }
    return segments;
  }
}
