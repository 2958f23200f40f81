package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The public booking endpoints are rate-limited per client address and per tenant. */
class PublicBookingLimitsTest {
  private static final String ORIGIN = "https://limits.example";

  @Test
  void aClientAddressAndThenTheWholeTenantAreLimited() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(),
        "videoshop.http.trusted-proxies = \"127.0.0.1/32\"",
        "videoshop.scheduling.public-limits { per-ip-burst = 3, per-ip-per-minute = 1, per-tenant-burst = 6, "
            + "per-tenant-per-minute = 1 }")) {
      TestPlatform.TestTenant tenant = platform.tenant("limits");
      String key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
          .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
      // Bad bodies count too: the limits come before anything else is read.
      for (int i = 0; i < 3; i++) {
        assertThat(platform.api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", key)
            .header("Origin", ORIGIN).header("X-Forwarded-For", "203.0.113.1").body(Map.of("name", "")).send().status())
            .isEqualTo(422);
      }
      for (String ip : List.of("203.0.113.1", "203.0.113.2")) {
        if (ip.endsWith(".2")) for (int i = 0; i < 3; i++) assertThat(slots(platform, key, ip).status()).isEqualTo(200);
        ApiClient.Reply limited = slots(platform, key, ip);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.code()).isEqualTo("rate_limited");
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
      }
      // Six requests of the tenant were admitted: a third address is refused for the tenant's sake.
      ApiClient.Reply tenantLimited = slots(platform, key, "203.0.113.3");
      assertThat(tenantLimited.status()).isEqualTo(429);
      assertThat(tenantLimited.code()).isEqualTo("rate_limited");
    }
  }

  private static ApiClient.Reply slots(TestPlatform platform, String key, String ip) {
    return platform.api.call("GET", "/api/v1/widget/slots?days=1").header("X-Widget-Key", key).header("Origin", ORIGIN)
        .header("X-Forwarded-For", ip).send();
  }
}
