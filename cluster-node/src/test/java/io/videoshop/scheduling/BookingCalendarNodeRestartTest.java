package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.ApiClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The calendar's bookings survive a node restart on PostgreSQL; an admin reassigns after it. */
class BookingCalendarNodeRestartTest {
  private static final String ORIGIN = "https://restart.example";

  @Test
  void bookingsSurviveARestartAndStayTakenThenAnAdminReassigns() throws Exception {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    Instant start = LocalDate.now(berlin).plusDays(2).atTime(15, 0).atZone(berlin).toInstant();
    TestPlatform platform = new TestPlatform(TestDatabase.postgres());
    TestPlatform.TestTenant tenant;
    String key;
    String bookingId;
    try {
      tenant = platform.tenant("restart");
      key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
          .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
      for (String agent : List.of(tenant.agentId(), tenant.adminId())) {
        assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + agent + "/working-hours")
            .bearer(tenant.adminToken()).body(Map.of("takesBookings", true)).send().status()).isEqualTo(200);
      }
      ApiClient.Reply booked = book(platform.api, key, start, tenant.agentId());
      assertThat(booked.status()).as("%s", booked).isEqualTo(201);
      bookingId = booked.json().get("bookingId").asText();
    } finally {
      platform.node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    VideoShopNode restarted = TestNodes.start(platform.database,
        "videoshop.auth.jwt-secret = \"test-secret-test-secret-test-secret-0123\"");
    try {
      ApiClient api = new ApiClient(restarted.httpPort());
      assertThat(book(api, key, start, tenant.agentId()).code()).as("still taken after the restart").isEqualTo("slot_taken");
      ApiClient.Reply other = book(api, key, start, tenant.adminId());
      assertThat(other.status()).as("%s", other).isEqualTo(201);
      // The access tokens were signed with the same secret: still valid on the restarted node.
      String admin = tenant.adminToken();
      ApiClient.Reply busy = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/bookings/" + bookingId + "/reassign")
          .bearer(admin).body(Map.of("agentId", tenant.adminId())).send();
      assertThat(busy.code()).isEqualTo("slot_taken");
      assertThat(api.call("POST", "/api/v1/tenants/" + tenant.id() + "/bookings/" + bookingId + "/cancel").bearer(admin)
          .body("{}").send().status()).isEqualTo(200);
      ApiClient.Reply missing = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/bookings/no-such/reassign")
          .bearer(admin).body(Map.of("agentId", tenant.adminId())).send();
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.code()).isEqualTo("booking_not_found");
      ApiClient.Reply again = book(api, key, start, tenant.agentId());
      assertThat(again.status()).as("the cancelled booking freed the agent: %s", again).isEqualTo(201);
      ApiClient.Reply reassigned = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/bookings/"
          + other.json().get("bookingId").asText() + "/reassign").bearer(admin).body(Map.of("agentId", tenant.ownerId()))
          .send();
      assertThat(reassigned.code()).as("the owner does not take bookings").isEqualTo("agent_not_bookable");
    } finally {
      restarted.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      platform.database.close();
    }
  }

  private static ApiClient.Reply book(ApiClient api, String key, Instant start, String agentId) {
    return api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", key).header("Origin", ORIGIN)
        .body(Map.of("start", start.toString(), "name", "Restart Shopper", "email", "restart@example.com",
            "consent", true, "agentId", agentId)).send();
  }
}
