package io.videoshop.metrics;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Route;

/** Times every HTTP request by method, status and a low-cardinality form of its path. */
public final class HttpMetrics {
  private static final Pattern ID_SEGMENT =
      Pattern.compile("[0-9]+|[0-9a-fA-F-]{16,}|[A-Za-z0-9_-]{20,}");

  private static final Duration[] BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  private HttpMetrics() {}

  public static Route timed(MeterRegistry registry, Route inner) {
    return extractRequest(request -> {
      long started = System.nanoTime();
      return mapResponse(response -> {
        Timer.builder("http_server_requests")
            .description("HTTP requests served")
            .tag("method", request.method().name())
            .tag("status", Integer.toString(response.status().intValue()))
            // Unknown paths are unbounded: fold them into one label value.
            .tag("path", response.status().intValue() == 404 ? "unmatched" : pathTemplate(request))
            .serviceLevelObjectives(BUCKETS)
            .register(registry)
            .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return response;
      }, () -> inner);
    });
  }

  /** The first three path segments with id-like segments folded to {id}. */
  static String pathTemplate(HttpRequest request) {
    String[] segments = request.getUri().path().split("/");
    StringBuilder template = new StringBuilder();
    int kept = 0;
    for (String segment : segments) {
      if (segment.isEmpty()) continue;
      if (kept++ == 3) {
        template.append("/…");
        break;
      }
      template.append('/').append(ID_SEGMENT.matcher(segment).matches() ? "{id}" : segment.toLowerCase(Locale.ROOT));
    }
    return template.length() == 0 ? "/" : template.toString();
  }
}
