package io.videoshop.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.tenant.BusinessHours;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bad input tried as a new user would, through the real API and sockets on PostgreSQL: each
 * answer is a 4xx problem with a stable code and nothing is changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  private static final String ORIGIN = "https://shop.test";

  private TestPlatform platform;
  private ApiClient api;
  private TestPlatform.TestTenant tenant;
  private String operator;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    api = platform.api;
    tenant = platform.tenant("bad-input");
    operator = platform.operatorToken();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  private static void assertProblem(ApiClient.Reply reply, int status, String code) {
    assertThat(reply.status()).as("%s", reply).isEqualTo(status);
    assertThat(reply.contentType()).as("%s", reply).isEqualTo("application/problem+json");
    assertThat(reply.code()).as("%s", reply).isEqualTo(code);
  }

  @Test
  void aBodyOfNullIsABadRequestNotAServerError() {
    String tenantPath = "/api/v1/tenants/" + tenant.id();
    assertProblem(api.call("POST", "/api/v1/auth/login").body("null").send(), 400, "missing_body");
    assertProblem(api.call("POST", "/api/v1/tenants").bearer(operator).body("null").send(), 400, "missing_body");
    assertProblem(api.call("PATCH", tenantPath).bearer(tenant.ownerToken()).body("null").send(), 400, "missing_body");
    assertProblem(api.call("PUT", tenantPath + "/settings").bearer(tenant.ownerToken()).body("null").send(), 400,
        "missing_body");
    assertProblem(api.call("POST", tenantPath + "/invitations").bearer(tenant.ownerToken()).body("null").send(), 400,
        "missing_body");
    assertProblem(api.call("POST", tenantPath + "/wallet/top-ups").bearer(operator)
        .header("Idempotency-Key", "null-body").body("null").send(), 400, "missing_body");
  }

  @Test
  void aFiveThousandCharacterEmailAtLoginIsRefusedBeforeTheDatabase() {
    ApiClient.Reply reply = api.call("POST", "/api/v1/auth/login")
        .body(Map.of("email", "a".repeat(5_000) + "@example.com", "password", TestPlatform.PASSWORD)).send();
    assertProblem(reply, 422, "validation_failed");
    assertThat(reply.json().at("/errors/0/field").asText()).isEqualTo("email");
    assertThat(reply.json().at("/errors/0/code").asText()).isEqualTo("too_long");
  }

  @Test
  void aNumberWhereAStringBelongsIsATypeError() {
    String tenantPath = "/api/v1/tenants/" + tenant.id();
    ApiClient.Reply renamed = api.call("PATCH", tenantPath).bearer(tenant.ownerToken()).body("{\"name\": 12345}").send();
    assertProblem(renamed, 400, "invalid_field");
    assertThat(renamed.json().at("/errors/0/field").asText()).isEqualTo("name");
    ApiClient.Reply created = api.call("POST", "/api/v1/tenants").bearer(operator)
        .body("{\"name\": true, \"slug\": \"typed\", \"timeZone\": \"UTC\", \"currency\": \"EUR\"}").send();
    assertProblem(created, 400, "invalid_field");
    assertThat(api.call("GET", tenantPath).bearer(tenant.ownerToken()).send().json().get("name").asText())
        .isEqualTo("Shop bad-input");
  }

  @Test
  void aStringWhereANumberBelongsCreditsNothingAndSavesNothing() {
    String wallet = "/api/v1/tenants/" + tenant.id() + "/wallet";
    long before = api.call("GET", wallet).bearer(tenant.ownerToken()).send().json().get("balance").asLong();
    ApiClient.Reply credited = api.call("POST", wallet + "/top-ups").bearer(operator)
        .header("Idempotency-Key", "string-amount").body("{\"amount\": \"5000\"}").send();
    assertProblem(credited, 400, "invalid_field");
    assertThat(credited.json().at("/errors/0/field").asText()).isEqualTo("amount");
    assertThat(api.call("GET", wallet).bearer(tenant.ownerToken()).send().json().get("balance").asLong())
        .isEqualTo(before);

    String settings = "/api/v1/tenants/" + tenant.id() + "/settings";
    String body = "{\"timeZone\":\"UTC\",\"currency\":\"EUR\",\"businessHours\":{\"weekly\":{},\"exceptions\":[]},"
        + "\"queue\":{\"maxLength\":\"50\",\"maxWaitSeconds\":600,\"reservationTimeoutSeconds\":20,"
        + "\"routingStrategy\":\"longest-idle\"},\"allowedOrigins\":[]}";
    ApiClient.Reply saved = api.call("PUT", settings).bearer(tenant.ownerToken()).body(body).send();
    assertProblem(saved, 400, "invalid_field");
    assertThat(saved.json().at("/errors/0/field").asText()).isEqualTo("queue.maxLength");
    JsonNode now = api.call("GET", "/api/v1/tenants/" + tenant.id()).bearer(tenant.ownerToken()).send().json();
    assertThat(now.at("/settings/timeZone").asText()).isEqualTo("Europe/Berlin");
  }

  @Test
  void controlCharactersInANameAreRefused() {
    String tenantPath = "/api/v1/tenants/" + tenant.id();
    ApiClient.Reply renamed = api.call("PATCH", tenantPath).bearer(tenant.ownerToken())
        .body(Map.of("name", "Shop\u0000Evil")).send();
    assertProblem(renamed, 422, "validation_failed");
    assertThat(renamed.json().at("/errors/0/field").asText()).isEqualTo("name");
    assertThat(renamed.json().at("/errors/0/code").asText()).isEqualTo("control_character");
    assertProblem(api.call("PATCH", tenantPath).bearer(tenant.ownerToken()).body(Map.of("name", "Shop\u001b[31m"))
        .send(), 422, "validation_failed");
    assertThat(api.call("GET", tenantPath).bearer(tenant.ownerToken()).send().json().get("name").asText())
        .isEqualTo("Shop bad-input");
  }

  @Test
  void theWidgetRefusesAVersionlessJoinAndANameWithANulByte() throws Exception {
    TestPlatform.TestTenant shop = platform.tenant("bad-widget");
    ApiClient.Reply settings = api.call("PUT", "/api/v1/tenants/" + shop.id() + "/settings").bearer(shop.ownerToken())
        .body(Map.of("timeZone", "UTC", "currency", "EUR", "businessHours", BusinessHours.always(),
            "queue", Map.of("maxLength", 50, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 5,
                "routingStrategy", "longest-idle"), "allowedOrigins", List.of()))
        .send();
    assertThat(settings.status()).as("%s", settings).isEqualTo(200);
    String key = api.call("POST", "/api/v1/tenants/" + shop.id() + "/widget-keys").bearer(shop.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
    try (SocketClient socket = SocketClient.widget(platform.node.httpPort(), key, ORIGIN)) {
      socket.next("hello");
      socket.send("{\"type\":\"join\",\"name\":\"No version\"}");
      JsonNode versionless = socket.next("error");
      assertThat(versionless.get("code").asText()).isEqualTo("missing_version");
      assertThat(versionless.get("field").asText()).isEqualTo("v");

      socket.send(Map.of("type", "join", "name", "Ada\u0000<script>"));
      JsonNode nul = socket.next("error");
      assertThat(nul.get("code").asText()).isEqualTo("invalid_field");
      assertThat(nul.get("field").asText()).isEqualTo("name");

      socket.send("{\"v\":1,\"type\":\"join\",\"name\":12345}");
      assertThat(socket.next("error").get("field").asText()).isEqualTo("name");

      socket.send(Map.of("type", "join", "name", "Ada"));
      JsonNode queued = socket.next("queued");
      assertThat(queued.get("position").asInt()).as("the refused joins took no place").isEqualTo(1);
    }
  }
}
