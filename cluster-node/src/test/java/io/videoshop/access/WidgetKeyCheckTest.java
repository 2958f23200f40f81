package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reusable check the widget socket runs on every connection (key valid, Origin allowed), and
 * what the widget reads of its key before that: the tenant's appearance ({@code /widget/config}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WidgetKeyCheckTest {
  private TestPlatform platform;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.h2InMemory());
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  @Test
  void acceptsOnlyLiveKeysFromTheirOriginsAndFallsBackToTheTenantsOrigins() throws Exception {
    {
      ApiClient api = platform.api;
      TestPlatform.TestTenant tenant = platform.tenant("widgets");
      String keys = "/api/v1/tenants/" + tenant.id() + "/widget-keys";
      String own = api.call("POST", keys).bearer(tenant.adminToken())
          .body(Map.of("name", "main store", "allowedOrigins", List.of("https://shop.example", "http://localhost:3000")))
          .send().json().get("publicKey").asText();
      var inherited = api.call("POST", keys).bearer(tenant.adminToken())
          .body(Map.of("name", "tenant-wide", "allowedOrigins", List.of())).send().json();
      WidgetKeys check = platform.node.platform().widgetKeys;

      assertThat(check.check(own, "https://shop.example")).isEqualTo(new WidgetKeys.Admission(true, tenant.id(), null));
      assertThat(check.check(own, "http://localhost:3000").allowed()).isTrue();
      assertThat(check.check(own, "https://evil.example").reason()).isEqualTo("origin_not_allowed");
      assertThat(check.check(own, "https://shop.example.evil.example").reason()).isEqualTo("origin_not_allowed");
      assertThat(check.check(own, null).reason()).isEqualTo("origin_not_allowed");
      assertThat(check.check("vsw_unknown", "https://shop.example").reason()).isEqualTo("widget_key_invalid");
      assertThat(check.check(null, "https://shop.example").reason()).isEqualTo("widget_key_missing");

      String tenantWide = inherited.get("publicKey").asText();
      assertThat(check.check(tenantWide, "https://shop.example").reason()).as("tenant lists no origins yet")
          .isEqualTo("origin_not_allowed");
      var tenantNow = api.call("GET", "/api/v1/tenants/" + tenant.id()).bearer(tenant.adminToken()).send().json();
      var settings = platform.node.platform().tenants.find(tenant.id()).orElseThrow().settings();
      api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/settings").bearer(tenant.adminToken())
          .body(new io.videoshop.tenant.TenantSettings(settings.timeZone(), settings.currency(), settings.businessHours(),
              settings.queue(), List.of("https://brand.example"), null, null)).send();
      assertThat(tenantNow.get("id").asText()).isEqualTo(tenant.id());
      assertThat(check.check(tenantWide, "https://brand.example").allowed()).isTrue();

      api.call("PUT", keys + "/" + inherited.get("id").asText() + "/origins").bearer(tenant.adminToken())
          .body(Map.of("allowedOrigins", List.of("https://other.example"))).send();
      assertThat(check.check(tenantWide, "https://brand.example").reason()).isEqualTo("origin_not_allowed");
      assertThat(check.check(tenantWide, "https://other.example").allowed()).isTrue();

      api.call("DELETE", keys + "/" + inherited.get("id").asText()).bearer(tenant.adminToken()).send();
      assertThat(check.check(tenantWide, "https://other.example").reason()).isEqualTo("widget_key_invalid");
    }
  }

  @Test
  void theAppearanceIsValidatedAuditedKeptBySettingsAndServedToTheWidget() {
    ApiClient api = platform.api;
    TestPlatform.TestTenant tenant = platform.tenant("appearance");
    String tenantPath = "/api/v1/tenants/" + tenant.id();
    String key = api.call("POST", tenantPath + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of("https://shop.example"))).send().json().get("publicKey").asText();
    assertThat(api.call("GET", "/widget/config?key=" + key).send().body()).as("nothing set yet").isEqualTo("{}");

    Map<String, Object> bad = new HashMap<>();
    bad.put("color", "red");
    bad.put("buttonText", "x".repeat(41));
    bad.put("greeting", "y".repeat(201));
    bad.put("position", "top");
    bad.put("language", "it");
    ApiClient.Reply refused = api.call("PUT", tenantPath + "/widget-appearance").bearer(tenant.adminToken()).body(bad).send();
    assertThat(refused.status()).as("%s", refused).isEqualTo(422);
    Map<String, String> codes = new HashMap<>();
    refused.json().get("errors").forEach(error -> codes.put(error.get("field").asText(), error.get("code").asText()));
    assertThat(codes).containsExactlyInAnyOrderEntriesOf(Map.of("color", "invalid_color", "buttonText", "too_long",
        "greeting", "too_long", "position", "invalid_position", "language", "unsupported_language"));
    assertThat(api.call("PUT", tenantPath + "/widget-appearance").bearer(tenant.adminToken()).body(Map.of("colour", "#000000"))
        .send().code()).isEqualTo("unknown_field");
    assertThat(api.call("PUT", tenantPath + "/widget-appearance").bearer(tenant.adminToken())
        .body(Map.of("greeting", "line one\nline two")).send().json().at("/errors/0/code").asText())
        .isEqualTo("control_character");
    assertThat(api.call("PUT", tenantPath + "/widget-appearance").bearer(tenant.agentToken())
        .body(Map.of("color", "#000000")).send().status()).isEqualTo(403);
    assertThat(api.call("GET", "/widget/config?key=" + key).send().body()).as("nothing half-changed").isEqualTo("{}");

    ApiClient.Reply saved = api.call("PUT", tenantPath + "/widget-appearance").bearer(tenant.adminToken())
        .body(Map.of("color", "#0F766E", "buttonText", "  Talk to a shoe expert ", "greeting", "Hi! Our fitters are here.",
            "position", "left", "language", "de")).send();
    assertThat(saved.status()).as("%s", saved).isEqualTo(200);
    assertThat(saved.json().get("color").asText()).isEqualTo("#0f766e");
    assertThat(saved.json().get("buttonText").asText()).isEqualTo("Talk to a shoe expert");

    ApiClient.Reply config = api.call("GET", "/widget/config?key=" + key).send();
    assertThat(config.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(config.json()).isEqualTo(saved.json());
    assertThat(api.call("GET", "/widget/config?key=vsw_unknown").send().body()).isEqualTo("{}");

    JsonNode audited = api.call("GET", tenantPath + "/audit?action=tenant.widget_appearance_changed").bearer(tenant.ownerToken())
        .send().json().get("items");
    assertThat(audited).hasSize(1);
    assertThat(audited.get(0).at("/after/settings/widget/greeting").asText()).isEqualTo("Hi! Our fitters are here.");

    // The settings screen sends no appearance: it stays as it is.
    var settings = platform.node.platform().tenants.find(tenant.id()).orElseThrow().settings();
    assertThat(api.call("PUT", tenantPath + "/settings").bearer(tenant.adminToken())
        .body(settings.withWidget(null)).send().status()).isEqualTo(200);
    assertThat(api.call("GET", "/widget/config?key=" + key).send().json()).isEqualTo(saved.json());

    assertThat(api.call("POST", tenantPath + "/suspend").bearer(platform.operatorToken()).send().status()).isEqualTo(200);
    assertThat(api.call("GET", "/widget/config?key=" + key).send().body()).as("a suspended tenant's widget").isEqualTo("{}");
  }
}
