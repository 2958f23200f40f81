package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.http.Json;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Tenants, users, sessions, keys and the audit log through the real HTTP API on PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessApiTest {
  private TestPlatform platform;
  private ApiClient api;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres(), "videoshop.http.max-request-body = 4k",
        "videoshop.auth.api-key-usage-audit-interval = 1s");
    api = platform.api;
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  @Test
  void operatorCreatesTenantWhoseInvitedOwnerSignsIn() {
    TestPlatform.TestTenant tenant = platform.tenant("acme");
    ApiClient.Reply me = api.call("GET", "/api/v1/me").bearer(tenant.ownerToken()).send();
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("role").asText()).isEqualTo("owner");
    assertThat(me.json().get("tenantId").asText()).isEqualTo(tenant.id());
    assertThat(me.json().has("passwordHash")).isFalse();

    ApiClient.Reply read = api.call("GET", "/api/v1/tenants/" + tenant.id()).bearer(tenant.agentToken()).send();
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().get("slug").asText()).isEqualTo("acme");
    assertThat(read.json().at("/settings/timeZone").asText()).isEqualTo("Europe/Berlin");
  }

  @Test
  void anInvitationWorksOnceAndNotAfterItExpires() {
    TestPlatform.TestTenant tenant = platform.tenant("once");
    invite(tenant, "late@once.test", "agent");
    String token = platform.mailedToken("late@once.test", "inv_");
    Map<String, String> accept = Map.of("token", token, "displayName", "Late", "password", TestPlatform.PASSWORD);
    assertThat(api.call("POST", "/api/v1/invitations/accept").body(accept).send().status()).isEqualTo(201);
    ApiClient.Reply again = api.call("POST", "/api/v1/invitations/accept").body(accept).send();
    assertThat(again.status()).isEqualTo(410);
    assertThat(again.code()).isEqualTo("invitation_accepted");

    invite(tenant, "expired@once.test", "agent");
    String expired = platform.mailedToken("expired@once.test", "inv_");
    platform.node.platform().jdbi.useHandle(handle -> handle.execute(
        "UPDATE invitations SET expires_at = created_at WHERE email = 'expired@once.test'"));
    ApiClient.Reply late = api.call("POST", "/api/v1/invitations/accept")
        .body(Map.of("token", expired, "displayName", "X", "password", TestPlatform.PASSWORD)).send();
    assertThat(late.status()).isEqualTo(410);
    assertThat(late.code()).isEqualTo("invitation_expired");
    assertThat(api.call("POST", "/api/v1/invitations/accept")
        .body(Map.of("token", "inv_forged", "displayName", "X", "password", TestPlatform.PASSWORD)).send().code())
        .isEqualTo("invalid_invitation");
  }

  @Test
  void refreshRotatesTheTokenAndReplayingAnOldOneRevokesTheFamily() {
    platform.tenant("rotate");
    ApiClient.Reply login = api.call("POST", "/api/v1/auth/login")
        .body(Map.of("email", "agent@rotate.test", "password", TestPlatform.PASSWORD)).send();
    String first = login.json().get("refreshToken").asText();
    assertThat(login.json().get("expiresIn").asLong()).isEqualTo(900);

    ApiClient.Reply refreshed = api.call("POST", "/api/v1/auth/refresh").body(Map.of("refreshToken", first)).send();
    assertThat(refreshed.status()).isEqualTo(200);
    String second = refreshed.json().get("refreshToken").asText();
    assertThat(second).isNotEqualTo(first);
    assertThat(api.call("GET", "/api/v1/me").bearer(refreshed.json().get("accessToken").asText()).send().status())
        .isEqualTo(200);

    ApiClient.Reply replay = api.call("POST", "/api/v1/auth/refresh").body(Map.of("refreshToken", first)).send();
    assertThat(replay.status()).isEqualTo(401);
    assertThat(replay.detail()).contains("revoked");
    assertThat(api.call("POST", "/api/v1/auth/refresh").body(Map.of("refreshToken", second)).send().status())
        .as("the whole family is revoked").isEqualTo(401);
  }

  @Test
  void logoutRevokesTheRefreshToken() {
    platform.tenant("bye");
    ApiClient.Reply login = api.call("POST", "/api/v1/auth/login")
        .body(Map.of("email", "admin@bye.test", "password", TestPlatform.PASSWORD)).send();
    String refresh = login.json().get("refreshToken").asText();
    assertThat(api.call("POST", "/api/v1/auth/logout").body(Map.of("refreshToken", refresh)).send().status()).isEqualTo(204);
    assertThat(api.call("POST", "/api/v1/auth/refresh").body(Map.of("refreshToken", refresh)).send().code())
        .isEqualTo("invalid_refresh_token");
  }

  @Test
  void passwordResetByMailedTokenChangesThePasswordOnce() {
    platform.tenant("reset");
    assertThat(api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", "agent@reset.test")).send().status())
        .isEqualTo(202);
    assertThat(api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", "nobody@reset.test")).send().status())
        .as("no account enumeration").isEqualTo(202);
    String token = platform.mailedToken("agent@reset.test", "rst_");
    ApiClient.Reply weak = api.call("POST", "/api/v1/auth/password-reset/confirm")
        .body(Map.of("token", token, "password", "short")).send();
    assertThat(weak.status()).isEqualTo(422);
    assertThat(weak.json().at("/errors/0/field").asText()).isEqualTo("password");
    assertThat(api.call("POST", "/api/v1/auth/password-reset/confirm")
        .body(Map.of("token", token, "password", "a brand new passphrase")).send().status()).isEqualTo(204);
    assertThat(api.call("POST", "/api/v1/auth/login")
        .body(Map.of("email", "agent@reset.test", "password", TestPlatform.PASSWORD)).send().status()).isEqualTo(401);
    platform.login("agent@reset.test", "a brand new passphrase");
    assertThat(api.call("POST", "/api/v1/auth/password-reset/confirm")
        .body(Map.of("token", token, "password", "another new passphrase")).send().code()).isEqualTo("invalid_reset_token");
  }

  @Test
  void rolesAreEnforcedByEveryRoute() {
    TestPlatform.TestTenant tenant = platform.tenant("roles");
    String users = "/api/v1/tenants/" + tenant.id() + "/users";
    assertThat(api.call("GET", users).bearer(tenant.agentToken()).send().code()).isEqualTo("forbidden");
    assertThat(api.call("GET", users).bearer(tenant.adminToken()).send().status()).isEqualTo(200);
    assertThat(api.call("GET", "/api/v1/tenants").bearer(tenant.ownerToken()).send().code()).isEqualTo("operator_only");

    ApiClient.Reply grantOwner = api.call("PATCH", users + "/" + tenant.agentId()).bearer(tenant.adminToken())
        .body(Map.of("role", "owner")).send();
    assertThat(grantOwner.code()).isEqualTo("owner_only");
    ApiClient.Reply demoteOwner = api.call("PATCH", users + "/" + tenant.ownerId()).bearer(tenant.adminToken())
        .body(Map.of("role", "agent")).send();
    assertThat(demoteOwner.code()).isEqualTo("owner_only");
    ApiClient.Reply lastOwner = api.call("PATCH", users + "/" + tenant.ownerId()).bearer(tenant.ownerToken())
        .body(Map.of("role", "admin")).send();
    assertThat(lastOwner.status()).isEqualTo(409);
    assertThat(lastOwner.code()).isEqualTo("last_owner");

    ApiClient.Reply promoted = api.call("PATCH", users + "/" + tenant.agentId()).bearer(tenant.adminToken())
        .body(Map.of("role", "admin")).send();
    assertThat(promoted.json().get("role").asText()).isEqualTo("admin");

    ApiClient.Reply deactivated = api.call("POST", users + "/" + tenant.agentId() + "/deactivate")
        .bearer(tenant.ownerToken()).send();
    assertThat(deactivated.json().get("status").asText()).isEqualTo("deactivated");
    assertThat(api.call("POST", "/api/v1/auth/login")
        .body(Map.of("email", "agent@roles.test", "password", TestPlatform.PASSWORD)).send().status()).isEqualTo(401);
  }

  @Test
  void apiKeysAreShownOnceCheckedByScopeCountedAndRevocable() {
    TestPlatform.TestTenant tenant = platform.tenant("keys");
    String keys = "/api/v1/tenants/" + tenant.id() + "/api-keys";
    ApiClient.Reply created = api.call("POST", keys).bearer(tenant.adminToken())
        .body(Map.of("name", "shop backend", "scopes", List.of("tenant:read"))).send();
    assertThat(created.status()).isEqualTo(201);
    String secret = created.json().get("key").asText();
    String keyId = created.json().at("/apiKey/id").asText();
    assertThat(secret).startsWith("vsk_");
    assertThat(api.call("GET", keys).bearer(tenant.adminToken()).send().body()).doesNotContain(secret)
        .contains(created.json().at("/apiKey/prefix").asText());
    String stored = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT key_hash FROM api_keys WHERE id = :id").bind("id", keyId).mapTo(String.class).one());
    assertThat(stored).isEqualTo(Secrets.sha256(secret)).isNotEqualTo(secret);

    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id()).apiKey(secret).send().status()).isEqualTo(200);
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id()).header("Authorization", "ApiKey " + secret).send()
        .status()).isEqualTo(200);
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id() + "/users").apiKey(secret).send().code())
        .isEqualTo("insufficient_scope");
    assertThat(api.call("POST", keys).apiKey(secret).body(Map.of("name", "x", "scopes", List.of("tenant:read"))).send()
        .code()).isEqualTo("api_key_not_allowed");

    // Usage records: per day and route class (the scope a route asks of keys; refused calls count too).
    JsonNode usage = api.call("GET", keys + "/" + keyId + "/usage").bearer(tenant.adminToken()).send().json();
    assertThat(usage.get(0).get("requests").asLong()).isEqualTo(4);
    assertThat(usage.get(0).get("byRouteClass")).isEqualTo(Json.MAPPER.valueToTree(Map.of("tenant:read", 2, "users:read", 1, "other", 1)));
    JsonNode tenantUsage = api.call("GET", "/api/v1/tenants/" + tenant.id() + "/api-usage?days=7").bearer(tenant.adminToken()).send().json();
    assertThat(tenantUsage).hasSize(1);
    assertThat(tenantUsage.get(0).get("keyId").asText()).isEqualTo(keyId);
    assertThat(tenantUsage.get(0).get("byRouteClass")).isEqualTo(usage.get(0).get("byRouteClass"));
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id() + "/api-usage?days=91").bearer(tenant.adminToken()).send().status())
        .isEqualTo(400);
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id() + "/api-usage").apiKey(secret).send().code()).isEqualTo("api_key_not_allowed");

    // Closed days go into the audit trail once: yesterday's calls (as the counter wrote them), not today's.
    java.time.LocalDate yesterday = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1);
    platform.node.platform().jdbi.useHandle(handle -> handle.createUpdate(
            "INSERT INTO api_key_calls (key_id, usage_day, route_class, requests) VALUES (:id, :day, 'tenant:read', 7)")
        .bind("id", keyId).bind("day", yesterday).execute());
    // The node's own run writes it within its configured interval (1 s here; the default is an hour).
    String usageRecorded = "/api/v1/tenants/" + tenant.id() + "/audit?action=api_key.usage_recorded";
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> api.call("GET", usageRecorded)
        .bearer(tenant.ownerToken()).send().json().get("items").size() > 0);
    ApiKeys apiKeys = platform.node.platform().apiKeys;
    assertThat(apiKeys.auditClosedDays()).as("each day once").isZero();
    JsonNode recorded = api.call("GET", usageRecorded).bearer(tenant.ownerToken()).send().json().get("items");
    assertThat(recorded).hasSize(1);
    assertThat(recorded.get(0).get("targetId").asText()).isEqualTo(keyId);
    assertThat(recorded.get(0).get("actorType").asText()).isEqualTo("system");
    assertThat(recorded.get(0).at("/after/day").asText()).isEqualTo(yesterday.toString());
    assertThat(recorded.get(0).at("/after/byRouteClass/tenant:read").asInt()).isEqualTo(7);
    assertThat(api.call("GET", keys).bearer(tenant.adminToken()).send().json().get(0).get("lastUsedAt").isNull()).isFalse();

    assertThat(api.call("DELETE", keys + "/" + keyId).bearer(tenant.adminToken()).send().status()).isEqualTo(200);
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id()).apiKey(secret).send().code()).isEqualTo("invalid_api_key");
    assertThat(api.call("POST", keys).bearer(tenant.adminToken()).body(Map.of("name", "x", "scopes", List.of("root")))
        .send().json().at("/errors/0/code").asText()).isEqualTo("unknown_scope");
  }

  @Test
  void badInputGetsAProblemWithAStableCodeAndChangesNothing() {
    TestPlatform.TestTenant tenant = platform.tenant("bad");
    String settings = "/api/v1/tenants/" + tenant.id() + "/settings";
    ApiClient.Reply unknownField = api.call("PATCH", "/api/v1/tenants/" + tenant.id()).bearer(tenant.ownerToken())
        .body(Map.of("name", "Renamed", "nmae", "typo")).send();
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.code()).isEqualTo("unknown_field");
    assertThat(unknownField.contentType()).isEqualTo("application/problem+json");

    ApiClient.Reply malformed = api.call("PATCH", "/api/v1/tenants/" + tenant.id()).bearer(tenant.ownerToken())
        .body("{\"name\": ").send();
    assertThat(malformed.code()).isEqualTo("malformed_json");

    Map<String, Object> invalid = Map.of("timeZone", "Mars/Olympus", "currency", "XXQ",
        "businessHours", Map.of("weekly", Map.of("funday", List.of(Map.of("from", "9am", "to", "17:00")))),
        "queue", Map.of("maxLength", 0, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 20, "routingStrategy", "random"),
        "allowedOrigins", List.of("https://shop.example.com/path"));
    ApiClient.Reply rejected = api.call("PUT", settings).bearer(tenant.ownerToken()).body(invalid).send();
    assertThat(rejected.status()).isEqualTo(422);
    List<String> fields = new ArrayList<>();
    rejected.json().get("errors").forEach(error -> fields.add(error.get("field").asText()));
    assertThat(fields).containsExactlyInAnyOrder("timeZone", "currency", "businessHours.weekly.funday",
        "businessHours.weekly.funday[0]", "queue.maxLength", "queue.routingStrategy", "allowedOrigins[0]");
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id()).bearer(tenant.ownerToken()).send().json()
        .at("/settings/timeZone").asText()).as("nothing changed").isEqualTo("Europe/Berlin");

    ApiClient.Reply tooLarge = api.call("PATCH", "/api/v1/tenants/" + tenant.id()).bearer(tenant.ownerToken())
        .body(Map.of("name", "x".repeat(5000))).send();
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.code()).isEqualTo("body_too_large");

    assertThat(api.call("GET", "/api/v1/nothing-here").send().code()).isEqualTo("not_found");
    ApiClient.Reply wrongMethod = api.call("DELETE", "/api/v1/tenants/" + tenant.id() + "/audit").bearer(tenant.ownerToken()).send();
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
    ApiClient.Reply anonymous = api.call("GET", "/api/v1/tenants/" + tenant.id()).send();
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(api.call("GET", "/api/v1/me").bearer("not.a.token").send().code()).isEqualTo("invalid_token");
    assertThat(api.call("GET", "/api/v1/tenants?limit=9999").bearer(platform.operatorToken()).send().code())
        .isEqualTo("invalid_query");
  }

  @Test
  void settingsAreReplacedWholeAndEveryChangeIsAudited() {
    TestPlatform.TestTenant tenant = platform.tenant("audited");
    Map<String, Object> settings = Map.of("timeZone", "America/New_York", "currency", "USD",
        "businessHours", Map.of("weekly", Map.of("friday", List.of(Map.of("from", "22:00", "to", "02:00"))),
            "exceptions", List.of(Map.of("date", "2026-12-25", "windows", List.of()))),
        "queue", Map.of("maxLength", 10, "maxWaitSeconds", 300, "reservationTimeoutSeconds", 15,
            "routingStrategy", "round-robin"),
        "allowedOrigins", List.of("https://shop.example.com", "http://localhost:3000"));
    ApiClient.Reply saved = api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/settings").bearer(tenant.adminToken())
        .body(settings).send();
    assertThat(saved.status()).as("%s", saved).isEqualTo(200);
    assertThat(saved.json().at("/settings/queue/routingStrategy").asText()).isEqualTo("round-robin");
    assertThat(saved.json().get("version").asLong()).isEqualTo(2);

    String audit = "/api/v1/tenants/" + tenant.id() + "/audit";
    JsonNode changed = api.call("GET", audit + "?action=tenant.settings_changed").bearer(tenant.ownerToken()).send().json();
    assertThat(changed.get("items")).hasSize(1);
    JsonNode entry = changed.get("items").get(0);
    assertThat(entry.get("actorId").asText()).isEqualTo(tenant.adminId());
    assertThat(entry.get("ip").asText()).isEqualTo("127.0.0.1");
    assertThat(entry.get("userAgent").asText()).contains("Java-http-client");
    assertThat(entry.at("/before/settings/timeZone").asText()).isEqualTo("Europe/Berlin");
    assertThat(entry.at("/after/settings/timeZone").asText()).isEqualTo("America/New_York");

    List<String> actions = new ArrayList<>();
    JsonNode page = api.call("GET", audit + "?limit=3").bearer(tenant.ownerToken()).send().json();
    while (true) {
      page.get("items").forEach(item -> actions.add(item.get("action").asText()));
      if (page.get("nextCursor") == null || page.get("nextCursor").isNull()) break;
      page = api.call("GET", audit + "?limit=3&cursor=" + page.get("nextCursor").asLong()).bearer(tenant.ownerToken()).send().json();
    }
    assertThat(actions).contains("tenant.created", "user.invited", "user.created", "auth.login", "tenant.settings_changed");
    assertThat(actions.get(0)).isEqualTo("tenant.settings_changed");
    assertThat(api.call("GET", audit).bearer(tenant.agentToken()).send().status()).isEqualTo(403);
    JsonNode operatorView = api.call("GET", "/api/v1/audit?tenantId=" + tenant.id() + "&action=tenant.created")
        .bearer(platform.operatorToken()).send().json();
    assertThat(operatorView.get("items")).hasSize(1);
  }

  @Test
  void suspendedTenantsRefuseTheirWidgetsUntilReactivated() {
    TestPlatform.TestTenant tenant = platform.tenant("paused");
    ApiClient.Reply key = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of("https://paused.example"))).send();
    String publicKey = key.json().get("publicKey").asText();
    WidgetKeys widgetKeys = platform.node.platform().widgetKeys;
    assertThat(widgetKeys.check(publicKey, "https://paused.example").allowed()).isTrue();

    String operator = platform.operatorToken();
    assertThat(api.call("POST", "/api/v1/tenants/" + tenant.id() + "/suspend").bearer(operator).send().json()
        .get("status").asText()).isEqualTo("suspended");
    assertThat(widgetKeys.check(publicKey, "https://paused.example").reason()).isEqualTo("tenant_suspended");
    assertThat(api.call("POST", "/api/v1/tenants/" + tenant.id() + "/suspend").bearer(operator).send().status())
        .isEqualTo(409);
    api.call("POST", "/api/v1/tenants/" + tenant.id() + "/reactivate").bearer(operator).send();
    assertThat(widgetKeys.check(publicKey, "https://paused.example").allowed()).isTrue();
  }

  private void invite(TestPlatform.TestTenant tenant, String email, String role) {
    ApiClient.Reply reply = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/invitations").bearer(tenant.ownerToken())
        .body(Map.of("email", email, "role", role)).send();
    assertThat(reply.status()).as("%s", reply).isEqualTo(201);
  }
}
