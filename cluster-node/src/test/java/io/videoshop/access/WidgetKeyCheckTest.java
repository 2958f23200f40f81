package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reusable check the widget socket runs on every connection: key valid, Origin allowed. */
class WidgetKeyCheckTest {

  @Test
  void acceptsOnlyLiveKeysFromTheirOriginsAndFallsBackToTheTenantsOrigins() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.h2InMemory())) {
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
              settings.queue(), List.of("https://brand.example"), null)).send();
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
}
