package io.videoshop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.http.ApiRoute;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Request metrics are labelled by route template only: made-up paths cannot create new series. */
class HttpMetricsLabelsTest {
  private static final Pattern PATH_LABEL = Pattern.compile("http_server_requests_seconds_count\\{[^}]*path=\"([^\"]*)\"");

  @Test
  void unknownPathsAndIdsNeverBecomeLabels() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.h2InMemory(), "videoshop.http.max-request-body = 1k")) {
      for (int i = 0; i < 5; i++) {
        String random = "x" + UUID.randomUUID().toString().substring(0, 6);
        platform.api.call("POST", "/api/v1/" + random).body("{\"a\":\"" + "y".repeat(3_000) + "\"}").send();
        platform.api.call("GET", "/api/v1/tenants/" + random).send();
        platform.api.call("DELETE", "/" + random).send();
        platform.api.call("GET", "/web/" + random + ".js").send();
        platform.api.call("GET", "/ws/" + random).send();
      }
      String metrics = platform.metrics();
      Set<String> labels = new TreeSet<>();
      Matcher matcher = PATH_LABEL.matcher(metrics);
      while (matcher.find()) labels.add(matcher.group(1));
      assertThat(labels).as("made-up segments").noneMatch(label -> label.matches(".*/x[0-9a-f]{6}.*"));
      Set<String> templates = new TreeSet<>(HttpMetrics.FIXED_TEMPLATES);
      for (ApiRoute route : platform.node.platform().api.table()) templates.add(route.path());
      templates.add(HttpMetrics.UNMATCHED);
      assertThat(labels).as("path labels").isNotEmpty().isSubsetOf(templates);
      assertThat(labels).contains("/api/v1/tenants/{tenantId}");
    }
  }
}
