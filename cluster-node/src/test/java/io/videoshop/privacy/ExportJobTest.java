package io.videoshop.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.MovableClock;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An export as a job on PostgreSQL with a movable clock: 202, a status, a signed download link that
 * works until it expires (then 410), the stored bundle encrypted and deleted by retention; audited.
 */
class ExportJobTest {
  @Test
  void anExportJobsLinkWorksUntilItExpiresAndItsBundleIsThenDeleted() throws Exception {
    MovableClock clock = new MovableClock(Instant.now());
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(), clock, "videoshop.region = \"eu-test-1\"")) {
      TestPlatform.TestTenant tenant = platform.tenant("exportjob");
      // The region the deployment names is reported by the API and in every export's manifest.
      assertThat(platform.api.call("GET", "/api/v1/privacy/region").bearer(tenant.adminToken()).send().json()
          .get("region").asText()).isEqualTo("eu-test-1");
      String jobs = "/api/v1/tenants/" + tenant.id() + "/privacy/export-jobs";
      assertThat(platform.api.call("POST", jobs).bearer(tenant.adminToken())
          .body(Map.of("userId", tenant.agentId(), "email", "x@y.test")).send().status()).isEqualTo(422);
      assertThat(platform.api.call("POST", jobs).bearer(tenant.adminToken()).body(Map.of("userId", "nobody")).send()
          .status()).isEqualTo(404);
      ApiClient.Reply asked = platform.api.call("POST", jobs).bearer(tenant.adminToken())
          .body(Map.of("userId", tenant.agentId())).send();
      assertThat(asked.status()).as("%s", asked).isEqualTo(202);
      assertThat(asked.json().get("kind").asText()).isEqualTo("export");
      String id = asked.json().get("id").asText();
      await().atMost(Duration.ofSeconds(30)).until(() -> "done".equals(request(platform, tenant, id).get("status").asText()));
      JsonNode result = request(platform, tenant, id).get("result");
      String link = result.get("downloadPath").asText();
      assertThat(link).startsWith(ExportJobs.DOWNLOAD_PATH);
      assertThat(Instant.parse(result.get("expiresAt").asText())).isAfter(clock.instant().plus(Duration.ofHours(23)));
      // The link is for whoever asked: another owner of the tenant sees the request without it, and
      // the list of requests never holds one; nor does the table (it is signed for each read).
      JsonNode byOwner = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/privacy/requests/" + id)
          .bearer(tenant.ownerToken()).send().json();
      assertThat(byOwner.get("status").asText()).isEqualTo("done");
      assertThat(byOwner.get("result").has("downloadPath")).as("%s", byOwner).isFalse();
      assertThat(byOwner.get("result").get("expiresAt").asText()).isEqualTo(result.get("expiresAt").asText());
      String list = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/privacy/requests")
          .bearer(tenant.adminToken()).send().body();
      assertThat(list).contains(id).doesNotContain("downloadPath", link.substring(ExportJobs.DOWNLOAD_PATH.length()));
      String stored = platform.node.platform().jdbi.withHandle(h -> h.createQuery(
          "SELECT result FROM privacy_requests WHERE id = :id").bind("id", id).mapTo(String.class).one());
      assertThat(stored).doesNotContain("downloadPath", "/privacy/downloads/");

      // The stored bundle is ciphertext: the agent's email is not in it.
      assertThat(DataScan.plainTraces(io.videoshop.persistence.SharedDatabase.get(platform.node.system()).dataSource(),
          java.util.List.of("UEsDB"))).as("no zip in plain base64").isEmpty();

      HttpResponse<byte[]> download = get(platform, link);
      assertThat(download.statusCode()).isEqualTo(200);
      assertThat(download.headers().firstValue("Content-Type")).hasValue("application/zip");
      assertThat(new String(download.body(), java.nio.charset.StandardCharsets.ISO_8859_1)).contains("account.json");
      try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(download.body()))) {
        String manifest = null;
        for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
          if (entry.getName().equals("manifest.json")) manifest = new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(manifest).contains("\"region\"", "eu-test-1");
      }
      assertThat(get(platform, link + "x").statusCode()).as("tampered").isEqualTo(401);

      clock.advance(Duration.ofHours(25));
      assertThat(get(platform, link).statusCode()).as("expired").isEqualTo(410);
      assertThat(keysOfExports(platform)).as("the bundle's key while it is kept").isEqualTo(1);
      assertThat(platform.node.platform().retention.runIfLeased()).containsEntry("export-files", 1)
          .containsEntry("export-keys", 1);
      long left = platform.node.platform().jdbi.withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM privacy_export_files").mapTo(Long.class).one());
      assertThat(left).isZero();
      assertThat(keysOfExports(platform)).as("the bundle's key goes with it").isZero();

      String operator = platform.operatorToken();
      for (String action : java.util.List.of("export.requested", "export.ready", "export.downloaded")) {
        assertThat(platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/audit?action=" + action)
            .bearer(operator).send().json().get("items")).as(action).isNotEmpty();
      }
    }
  }

  private static long keysOfExports(TestPlatform platform) {
    return platform.node.platform().jdbi.withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM personal_data_keys WHERE subject_id LIKE 'export-%'").mapTo(Long.class).one());
  }

  private static JsonNode request(TestPlatform platform, TestPlatform.TestTenant tenant, String id) {
    return platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/privacy/requests/" + id)
        .bearer(tenant.adminToken()).send().json();
  }

  private static HttpResponse<byte[]> get(TestPlatform platform, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + platform.node.httpPort() + path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
