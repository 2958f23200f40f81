package io.videoshop.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.SharedDatabase;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A user's data rights on PostgreSQL: the agent corrects their name, an admin their email, both
 * export them; then the agent is erased. Afterwards no table and no decrypted mail holds their
 * names or emails (old or corrected), they cannot sign in, and the audit entries about them are
 * all still there, with a stable pseudonym instead.
 */
class UserErasureTest {
  private static final String NAME = "Ulrika Vantongeren";
  private static final String EMAIL = "ulrika.vantongeren@uerase.test";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anErasedUserKeepsTheTrailUnderAPseudonymAndIsFoundNowhere() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres())) {
      TestPlatform.TestTenant tenant = platform.tenant("uerase");
      String agent = tenant.agentId();
      // As TestPlatform made them: invited, accepted, signed in.
      List<String> traces = List.of("agent@uerase.test", "agent of uerase", "Ulrika", "Vantongeren", "ulrika.vantongeren");

      // Correction: the agent their name, an admin their email (with the invitation's rules).
      ApiClient.Reply own = platform.api.call("PUT", "/api/v1/me/details").bearer(tenant.agentToken())
          .body(Map.of("displayName", NAME)).send();
      assertThat(own.status()).as("%s", own).isEqualTo(200);
      assertThat(own.json().get("displayName").asText()).isEqualTo(NAME);
      String details = "/api/v1/tenants/" + tenant.id() + "/privacy/users/" + agent + "/details";
      assertThat(platform.api.call("PUT", details).bearer(tenant.adminToken()).body(Map.of("email", "not an email"))
          .send().body()).contains("invalid_email");
      assertThat(platform.api.call("PUT", details).bearer(tenant.adminToken())
          .body(Map.of("email", "admin@uerase.test")).send().code()).isEqualTo("email_taken");
      assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/privacy/users/" + tenant.ownerId()
          + "/details").bearer(tenant.adminToken()).body(Map.of("displayName", "x")).send().status())
          .as("an admin cannot change an owner").isEqualTo(403);
      ApiClient.Reply byAdmin = platform.api.call("PUT", details).bearer(tenant.adminToken())
          .body(Map.of("email", " Ulrika.Vantongeren@uerase.test ")).send();
      assertThat(byAdmin.status()).as("%s", byAdmin).isEqualTo(200);
      assertThat(platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/users/" + agent)
          .bearer(tenant.adminToken()).send().json().get("email").asText()).isEqualTo(EMAIL);
      String agentToken = platform.login(EMAIL, TestPlatform.PASSWORD);

      // Export: by the user themselves and by an admin; an agent may not export others.
      Map<String, String> self = zip(platform, "GET", "/api/v1/me/export", agentToken);
      assertThat(self).containsKeys("manifest.json", "account.json", "account.csv", "roles.json", "sign-ins.json",
          "devices.json", "acts.json", "push-subscriptions.json", "preferences.json", "messages.json");
      assertThat(JSON.readTree(self.get("manifest.json")).get("format").asText()).isEqualTo("videoshop-user-export/1");
      JsonNode account = JSON.readTree(self.get("account.json")).get(0);
      assertThat(account.get("email").asText()).isEqualTo(EMAIL);
      assertThat(account.get("displayName").asText()).isEqualTo(NAME);
      assertThat(self.get("sign-ins.json")).contains("auth.login").contains("127.0.0.1");
      assertThat(self.get("acts.json")).contains("user.corrected");
      assertThat(self.get("roles.json")).contains("user.created");
      assertThat(JSON.readTree(self.get("preferences.json"))).hasSize(1);
      assertThat(zip(platform, "POST", "/api/v1/tenants/" + tenant.id() + "/privacy/users/" + agent + "/export",
          tenant.adminToken()).get("account.json")).contains(EMAIL);
      assertThat(platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/privacy/users/" + tenant.adminId()
          + "/export").bearer(agentToken).send().status()).isEqualTo(403);

      DataSource dataSource = SharedDatabase.get(platform.node.system()).dataSource();
      PersonalDataVault vault = SharedDatabase.get(platform.node.system()).personalDataVault();
      assertThat(DataScan.plainTraces(dataSource, traces)).as("before: the scan finds the user").isNotEmpty();
      String auditAbout = "/api/v1/tenants/" + tenant.id() + "/audit?targetId=" + agent + "&limit=200";
      int entriesBefore = platform.api.call("GET", auditAbout).bearer(tenant.adminToken()).send().json().get("items").size();
      assertThat(entriesBefore).isGreaterThanOrEqualTo(4);

      // Erasure: checked, asynchronous, idempotent.
      String erase = "/api/v1/tenants/" + tenant.id() + "/privacy/users/" + agent + "/erasure";
      assertThat(platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/privacy/users/" + tenant.ownerId()
          + "/erasure").bearer(tenant.adminToken()).send().status()).as("an admin cannot erase an owner").isEqualTo(403);
      ApiClient.Reply asked = platform.api.call("POST", erase).bearer(tenant.adminToken()).send();
      assertThat(asked.status()).as("%s", asked).isEqualTo(202);
      String requestId = asked.json().get("id").asText();
      await().atMost(Duration.ofSeconds(30)).until(() -> "done".equals(platform.api.call("GET", "/api/v1/tenants/"
          + tenant.id() + "/privacy/requests/" + requestId).bearer(tenant.adminToken()).send().json().get("status").asText()));
      assertThat(platform.api.call("POST", erase).bearer(tenant.adminToken()).send().json().get("id").asText())
          .isEqualTo(requestId);
      JsonNode request = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/privacy/requests/" + requestId)
          .bearer(tenant.adminToken()).send().json();
      String pseudonym = request.at("/result/pseudonym").asText();
      assertThat(pseudonym).startsWith("erased-").isEqualTo(UserPrivacy.pseudonym(agent));
      assertThat(request.at("/result/stores/outbox").asInt()).as("the invitation mail's row: %s", request).isPositive();
      assertThat(request.at("/result/stores/personal_data_keys").asInt()).as("its subject key shredded").isPositive();

      // Found nowhere: no column of any table, no decrypted mail.
      assertThat(DataScan.plainTraces(dataSource, traces)).as("rows holding the user in plain text").isEmpty();
      assertThat(DataScan.outboxTraces(dataSource, vault, traces)).as("decrypted outbox payloads").isEmpty();
      assertThat(DataScan.plainTraces(dataSource, List.of("admin of uerase", "admin@uerase.test")))
          .as("the other people are kept").isNotEmpty();

      // They cannot sign in any more, nor use the tokens they had (a failed attempt is recorded as any is).
      ApiClient.Reply login = platform.api.call("POST", "/api/v1/auth/login")
          .body(Map.of("email", EMAIL, "password", TestPlatform.PASSWORD)).send();
      assertThat(login.status()).as("%s", login).isEqualTo(401);
      assertThat(platform.api.call("GET", "/api/v1/me").bearer(agentToken).send().status()).isEqualTo(401);

      // The trail keeps every entry about them, with the pseudonym; the erasure itself is audited.
      JsonNode about = platform.api.call("GET", auditAbout).bearer(tenant.adminToken()).send().json().get("items");
      assertThat(about.size()).isGreaterThanOrEqualTo(entriesBefore);
      assertThat(about.toString()).contains(pseudonym).contains("auth.login").contains("user.created");
      JsonNode erased = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/audit?action=user.erased")
          .bearer(tenant.adminToken()).send().json().get("items");
      assertThat(erased).hasSize(1);
      assertThat(erased.get(0).toString()).contains(pseudonym).contains(agent);
      assertThat(platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/users/" + agent)
          .bearer(tenant.adminToken()).send().json().get("status").asText()).isEqualTo("erased");
    }
  }

  /** A zip answer's files, by name. */
  private static Map<String, String> zip(TestPlatform platform, String method, String path, String token)
      throws Exception {
    HttpResponse<byte[]> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + platform.node.httpPort() + path))
        .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(reply.statusCode()).as(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/zip");
    Map<String, String> files = new HashMap<>();
    try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(reply.body()))) {
      for (java.util.zip.ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        files.put(entry.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return files;
  }
}
