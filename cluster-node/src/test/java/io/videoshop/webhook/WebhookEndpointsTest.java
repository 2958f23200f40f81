package io.videoshop.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.audit.AuditEntry;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.WebhookSettings;
import io.videoshop.domain.Caller;
import io.videoshop.node.ApiClient;
import io.videoshop.node.MovableClock;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.ds.PGSimpleDataSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEndpointsTest {
  private TestDatabase database;
  private TestPlatform platform;
  private TestPlatform.TestTenant tenant;

  @BeforeAll
  void start() {
    database = TestDatabase.postgres();
    platform = new TestPlatform(database, "videoshop.webhooks.allowed-hosts = \"localhost\"");
    tenant = platform.tenant("wh-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @AfterAll
  void stop() throws Exception {
    if (platform != null) platform.close();
    if (database != null) database.close();
  }

  private String base() {
    return "/api/v1/tenants/" + tenant.id() + "/webhook-endpoints";
  }

  private ApiClient.Reply create(Object body) {
    return platform.api.call("POST", base()).bearer(tenant.adminToken()).body(body).send();
  }

  @Test
  void anEndpointsSecretIsShownOnceAndStoredSealedAndTheChangeIsAudited() {
    ApiClient.Reply created = create(Map.of("url", "https://crm.shop.example/hooks", "description", "CRM",
        "eventTypes", List.of("call.ended", "ticket.queued")));
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    String secret = created.json().get("secret").asText();
    String id = created.json().at("/endpoint/id").asText();
    assertThat(secret).startsWith("whsec_");
    assertThat(created.json().at("/endpoint/eventTypes").toString()).isEqualTo("[\"call.ended\",\"ticket.queued\"]");
    assertThat(created.json().at("/endpoint/enabled").asBoolean()).isTrue();
    assertThat(created.json().at("/endpoint/includePersonalData").asBoolean()).isFalse();

    ApiClient.Reply listed = platform.api.call("GET", base()).bearer(tenant.ownerToken()).send();
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body()).contains(id).doesNotContain(secret).doesNotContain("whsec_");
    ApiClient.Reply one = platform.api.call("GET", base() + "/" + id).bearer(tenant.adminToken()).send();
    assertThat(one.body()).doesNotContain("whsec_");

    String stored = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT secret_sealed FROM webhook_endpoints WHERE id = :id").bind("id", id).mapTo(String.class).one());
    assertThat(stored).doesNotContain(secret.substring(6));
    assertThat(platform.node.platform().webhookEndpoints.signingSecrets(id).orElseThrow().secrets())
        .containsExactly(secret);

    AuditLog.Page audit = platform.node.platform().audit.page(new AuditLog.Filter(java.util.Optional.of(tenant.id()),
        java.util.Optional.empty(), java.util.Optional.of("webhook_endpoint.created"), java.util.Optional.of(id), java.util.Optional.empty(),
        java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), 10));
    assertThat(audit.items()).hasSize(1);
    assertThat(audit.items().get(0).after().toString()).doesNotContain("whsec_");
  }

  @Test
  void badEndpointsAreRefusedWithStableCodesAndNothingIsStored() {
    int before = platform.api.call("GET", base()).bearer(tenant.adminToken()).send().json().size();
    assertThat(create(Map.of("url", "http://crm.shop.example/hooks")).json().at("/errors/0/code").asText())
        .isEqualTo("https_required");
    assertThat(create(Map.of("url", "ftp://crm.shop.example/")).json().at("/errors/0/code").asText())
        .isEqualTo("invalid_url");
    assertThat(create(Map.of("url", "https://user:pw@crm.shop.example/")).json().at("/errors/0/code").asText())
        .isEqualTo("invalid_url");
    ApiClient.Reply unknownType = create(Map.of("url", "https://crm.shop.example/", "eventTypes", List.of("call.ended",
        "call.exploded")));
    assertThat(unknownType.status()).isEqualTo(422);
    assertThat(unknownType.json().at("/errors/0/field").asText()).isEqualTo("eventTypes[1]");
    assertThat(unknownType.json().at("/errors/0/code").asText()).isEqualTo("unknown_event_type");
    assertThat(platform.api.call("GET", base()).bearer(tenant.adminToken()).send().json().size()).isEqualTo(before);
    assertThat(platform.api.call("GET", base() + "/whep_nope").bearer(tenant.adminToken()).send().code())
        .isEqualTo("webhook_endpoint_not_found");
    assertThat(platform.api.call("POST", base()).bearer(tenant.agentToken())
        .body(Map.of("url", "https://crm.shop.example/")).send().status()).isEqualTo(403);
  }

  @Test
  void plainHttpIsAcceptedOnlyForHostsThePlatformAllows() {
    ApiClient.Reply local = create(Map.of("url", "http://localhost:8099/receiver"));
    assertThat(local.status()).as("%s", local).isEqualTo(201);
  }

  @Test
  void replacingDisablesAndReEnablesAndDeletingErasesTheSecret() {
    String id = create(Map.of("url", "https://orders.shop.example/in")).json().at("/endpoint/id").asText();
    ApiClient.Reply replaced = platform.api.call("PUT", base() + "/" + id).bearer(tenant.adminToken())
        .body(Map.of("url", "https://orders.shop.example/v2", "enabled", false, "includePersonalData", true)).send();
    assertThat(replaced.status()).as("%s", replaced).isEqualTo(200);
    assertThat(replaced.json().get("enabled").asBoolean()).isFalse();
    assertThat(replaced.json().get("includePersonalData").asBoolean()).isTrue();
    assertThat(replaced.json().get("url").asText()).isEqualTo("https://orders.shop.example/v2");
    assertThat(replaced.json().get("eventTypes").size()).as("all types").isZero();

    assertThat(platform.api.call("DELETE", base() + "/" + id).bearer(tenant.adminToken()).send().status())
        .isEqualTo(204);
    assertThat(platform.api.call("GET", base() + "/" + id).bearer(tenant.adminToken()).send().status())
        .isEqualTo(404);
    assertThat(platform.node.platform().webhookEndpoints.signingSecrets(id)).isEmpty();

    AuditEntry changed = onlyAudit("webhook_endpoint.changed", id);
    assertThat(changed.actorId()).isEqualTo(tenant.adminId());
    assertThat(changed.targetType()).isEqualTo("webhook_endpoint");
    assertThat(changed.before().get("url").asText()).isEqualTo("https://orders.shop.example/in");
    assertThat(changed.before().get("enabled").asBoolean()).isTrue();
    assertThat(changed.after().get("url").asText()).isEqualTo("https://orders.shop.example/v2");
    assertThat(changed.after().get("enabled").asBoolean()).isFalse();
    assertThat(changed.after().get("includePersonalData").asBoolean()).isTrue();
    AuditEntry deleted = onlyAudit("webhook_endpoint.deleted", id);
    assertThat(deleted.actorId()).isEqualTo(tenant.adminId());
    assertThat(deleted.before().get("url").asText()).isEqualTo("https://orders.shop.example/v2");
    assertThat(deleted.after() == null || deleted.after().isNull()).as("nothing after a delete").isTrue();
    assertThat(changed + " " + deleted).doesNotContain("whsec_").doesNotContain("secret_sealed");
  }

  /** The one audit entry of this action on this endpoint, and it carries no secret. */
  private AuditEntry onlyAudit(String action, String endpointId) {
    AuditLog.Page page = platform.node.platform().audit.page(new AuditLog.Filter(Optional.of(tenant.id()),
        Optional.empty(), Optional.of(action), Optional.of(endpointId), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), 10));
    assertThat(page.items()).as(action).hasSize(1);
    AuditEntry entry = page.items().get(0);
    assertThat(String.valueOf(entry.before()) + entry.after()).as(action).doesNotContain("whsec_");
    return entry;
  }

  @Test
  void aRotatedSecretSignsBesideTheNewOneFor24HoursThenAlone() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(database.settings().url());
    dataSource.setUser(database.settings().user());
    dataSource.setPassword(database.settings().password());
    MovableClock clock = new MovableClock(Instant.parse("2026-03-01T10:00:00Z"));
    WebhookEndpoints endpoints = new WebhookEndpoints(platform.node.platform().jdbi,
        io.videoshop.persistence.SharedDatabase.get(platform.node.system()).personalDataVault(),
        new AuditLog(platform.node.platform().jdbi, clock),
        new WebhookSettings(List.of(), Duration.ofSeconds(15), Duration.ofDays(30), 20, 4), clock);
    Caller admin = Caller.system("test");
    WebhookEndpoints.EndpointWithSecret created = endpoints.create(admin, tenant.id(),
        new WebhookEndpoints.EndpointRequest("https://crm.shop.example/rotating", null, null, null, null));
    String id = created.endpoint().id();

    WebhookEndpoints.EndpointWithSecret rotated = endpoints.rotateSecret(admin, tenant.id(), id);
    assertThat(rotated.secret()).startsWith("whsec_").isNotEqualTo(created.secret());
    assertThat(rotated.endpoint().previousSecretValidUntil()).isEqualTo(Instant.parse("2026-03-02T10:00:00Z"));
    assertThat(endpoints.signingSecrets(id).orElseThrow().secrets()).containsExactly(rotated.secret(), created.secret());
    String header = WebhookSignature.header(endpoints.signingSecrets(id).orElseThrow().secrets(), "msg_1", 1, "{}");
    assertThat(WebhookSignature.verify(created.secret(), "msg_1", 1, "{}", header)).isTrue();
    assertThat(WebhookSignature.verify(rotated.secret(), "msg_1", 1, "{}", header)).isTrue();

    clock.advance(Duration.ofHours(24).minusSeconds(1));
    assertThat(endpoints.signingSecrets(id).orElseThrow().secrets()).hasSize(2);
    clock.advance(Duration.ofSeconds(1));
    assertThat(endpoints.signingSecrets(id).orElseThrow().secrets()).containsExactly(rotated.secret());

    ApiClient.Reply overApi = platform.api.call("POST", base() + "/" + id + "/rotate-secret")
        .bearer(tenant.ownerToken()).send();
    assertThat(overApi.status()).as("%s", overApi).isEqualTo(200);
    JsonNode body = overApi.json();
    assertThat(body.get("secret").asText()).startsWith("whsec_");
    assertThat(body.at("/endpoint/previousSecretValidUntil").isNull()).isFalse();

    AuditLog.Page rotations = platform.node.platform().audit.page(new AuditLog.Filter(Optional.of(tenant.id()),
        Optional.empty(), Optional.of("webhook_endpoint.secret_rotated"), Optional.of(id), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), 10));
    assertThat(rotations.items()).as("each rotation, newest first").hasSize(2);
    AuditEntry overApiEntry = rotations.items().get(0);
    AuditEntry first = rotations.items().get(1);
    assertThat(overApiEntry.actorId()).isEqualTo(tenant.ownerId());
    assertThat(first.before().path("previousSecretValidUntil").asText(null)).as("no previous secret before").isNull();
    assertThat(first.after().get("previousSecretValidUntil").asText()).isEqualTo("2026-03-02T10:00:00Z");
    for (AuditEntry entry : rotations.items()) {
      assertThat(String.valueOf(entry.before()) + entry.after()).doesNotContain("whsec_")
          .doesNotContain(created.secret().substring(6)).doesNotContain(rotated.secret().substring(6))
          .doesNotContain(body.get("secret").asText().substring(6));
    }
  }
}
