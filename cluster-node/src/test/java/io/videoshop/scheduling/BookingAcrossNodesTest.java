package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes of one cluster on PostgreSQL, shoppers booking through the public endpoints of
 * either, real HTTP: one calendar decides every booking of the tenant wherever it arrives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookingAcrossNodesTest {
  static final String ORIGIN = "https://shop.example";
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final String LIMITS = "videoshop.scheduling.public-limits { per-ip-burst = 100000, "
      + "per-ip-per-minute = 1000000, per-tenant-burst = 100000, per-tenant-per-minute = 1000000 }";

  private TestPlatform first;
  private VideoShopNode second;
  private ApiClient secondApi;
  private TestPlatform.TestTenant tenant;
  private String widgetKey;

  @BeforeAll
  void start() {
    first = new TestPlatform(TestDatabase.postgres(), LIMITS);
    int seedPort = first.node.system().address().getPort().get();
    second = TestNodes.start(first.database, LIMITS, "videoshop.cluster.seed-nodes = \"127.0.0.1:" + seedPort + "\"",
        "videoshop.auth.jwt-secret = \"test-secret-test-secret-test-secret-0123\"");
    secondApi = new ApiClient(second.httpPort());
    await().atMost(Duration.ofSeconds(60)).until(() ->
        Cluster.get(first.node.system()).state().members().size() == 2
            && Cluster.get(second.system()).selfMember().status() == MemberStatus.up());
    tenant = first.tenant("booking");
    widgetKey = first.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
    for (String agent : List.of(tenant.agentId(), tenant.adminId(), tenant.ownerId())) {
      ApiClient.Reply set = first.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + agent + "/working-hours")
          .bearer(tenant.adminToken()).body(Map.of("takesBookings", true, "daysOff", List.of())).send();
      assertThat(set.status()).as("%s", set).isEqualTo(200);
    }
  }

  @AfterAll
  void stop() throws Exception {
    second.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    first.close();
  }

  /** A slot on the half-hour grid, days ahead, at 10:00 Berlin time. */
  static Instant slot(int daysAhead, int hour) {
    return LocalDate.now(BERLIN).plusDays(daysAhead).atTime(hour, 0).atZone(BERLIN).toInstant();
  }

  ApiClient.Reply book(ApiClient api, Instant start, String name, String agentId) {
    Map<String, Object> body = new HashMap<>(Map.of("start", start.toString(), "name", name,
        "email", name.toLowerCase().replace(' ', '.') + "@example.com", "timeZone", "America/New_York", "consent", true,
        "productInterest", "running shoes"));
    if (agentId != null) body.put("agentId", agentId);
    return api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", widgetKey).header("Origin", ORIGIN)
        .body(body).send();
  }

  ApiClient.Call widget(String method, String path) {
    return first.api.call(method, path).header("X-Widget-Key", widgetKey).header("Origin", ORIGIN);
  }

  @Test
  void hundredConcurrentBookingsOfOneSlotFromTwoNodesSellExactlyTheCapacity() throws Exception {
    Instant start = slot(3, 10);
    ExecutorService pool = Executors.newFixedThreadPool(100);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ApiClient.Reply>> replies = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        ApiClient api = i % 2 == 0 ? first.api : secondApi;
        String name = "Shopper " + i;
        replies.add(pool.submit(() -> {
          go.await();
          return book(api, start, name, null);
        }));
      }
      go.countDown();
      Map<Integer, List<ApiClient.Reply>> byStatus = new HashMap<>();
      for (Future<ApiClient.Reply> reply : replies) {
        ApiClient.Reply r = reply.get(120, TimeUnit.SECONDS);
        byStatus.computeIfAbsent(r.status(), s -> new ArrayList<>()).add(r);
      }
      assertThat(byStatus.keySet()).as("%s", byStatus).containsExactlyInAnyOrder(201, 409);
      assertThat(byStatus.get(201)).hasSize(3);
      assertThat(byStatus.get(409)).hasSize(97).allSatisfy(r -> assertThat(r.code()).isEqualTo("slot_taken"));
      // Each of the three agents exactly once.
      assertThat(byStatus.get(201).stream().map(r -> r.json().get("agentId").asText()).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder(tenant.agentId(), tenant.adminId(), tenant.ownerId());
      assertThat(byStatus.get(201).get(0).contentType()).isEqualTo("application/json");
      JsonNode confirmation = byStatus.get(201).get(0).json();
      assertThat(confirmation.get("timeZone").asText()).isEqualTo("America/New_York");
      assertThat(confirmation.get("localStart").asText()).isEqualTo(start.atZone(ZoneId.of("America/New_York"))
          .toOffsetDateTime().toString());
      assertThat(confirmation.get("tenantLocalStart").asText()).startsWith(LocalDate.now(BERLIN).plusDays(3) + "T10:00");
      assertThat(confirmation.get("invitation").asText()).contains("METHOD:REQUEST\r\n", "SEQUENCE:0\r\n");
      assertThat(byStatus.get(409).get(0).contentType()).isEqualTo("application/problem+json");
    } finally {
      pool.shutdownNow();
    }
    // The slot is gone from the public list; the one after it is not.
    JsonNode slots = widget("GET", "/api/v1/widget/slots?from=" + LocalDate.now(BERLIN).plusDays(3) + "&days=1").send().json();
    List<String> starts = new ArrayList<>();
    slots.get("slots").forEach(s -> starts.add(s.get("start").asText()));
    assertThat(starts).doesNotContain(start.toString()).contains(start.plusSeconds(1800).toString());
    // The read model lists the three, names decrypted for the admin; the agent sees only their own.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(first.api.call("GET",
            "/api/v1/tenants/" + tenant.id() + "/bookings?from=" + start + "&to=" + start.plusSeconds(60))
        .bearer(tenant.adminToken()).send().json().get("items")).hasSize(3));
    JsonNode own = first.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/bookings?from=" + start + "&to="
        + start.plusSeconds(60)).bearer(tenant.agentToken()).send().json().get("items");
    assertThat(own).hasSize(1);
    assertThat(own.get(0).get("agentId").asText()).isEqualTo(tenant.agentId());
    assertThat(own.get(0).get("name").asText()).startsWith("Shopper ");
  }

  @Test
  void personalDetailsAreNotInTheJournalInPlainText() {
    ApiClient.Reply booked = book(first.api, slot(4, 11), "Ada Uniquename-Lovelace", null);
    assertThat(booked.status()).as("%s", booked).isEqualTo(201);
    long plain = first.node.platform().jdbi.withHandle(handle -> handle.createQuery("""
            SELECT count(*) FROM event_journal
            WHERE position(convert_to('Uniquename', 'UTF8') in event_payload) > 0
               OR position(convert_to('ada.uniquename', 'UTF8') in event_payload) > 0""")
        .mapTo(Long.class).one());
    long bookingEvents = first.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'BookingCalendar|%'").mapTo(Long.class).one());
    assertThat(bookingEvents).isPositive();
    assertThat(plain).isZero();

    // Erasing the shopper's data subject shreds every copy: the list shows the name as erased.
    String bookingId = booked.json().get("bookingId").asText();
    String subject = await().atMost(Duration.ofSeconds(60)).until(() -> first.node.platform().jdbi.withHandle(handle ->
        handle.createQuery("SELECT subject_id FROM bookings WHERE booking_id = :id").bind("id", bookingId)
            .mapTo(String.class).findOne().orElse(null)), java.util.Objects::nonNull);
    assertThat(io.videoshop.persistence.SharedDatabase.get(first.node.system()).personalDataVault().erase(subject)).isTrue();
    JsonNode items = first.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/bookings?from=" + slot(4, 11) + "&to="
        + slot(4, 11).plusSeconds(60)).bearer(tenant.adminToken()).send().json().get("items");
    assertThat(items).hasSize(1);
    assertThat(items.get(0).get("name").asText()).isEqualTo("[erased]");
    assertThat(items.get(0).get("email").asText()).isEqualTo("[erased]");
  }

  @Test
  void theSignedLinkShowsReschedulesAndCancelsAndNothingElsePassesForIt() {
    Instant start = slot(5, 14);
    JsonNode made = book(secondApi, start, "Grace Hopper", tenant.agentId()).json();
    String token = made.get("manageToken").asText();
    assertThat(made.get("agentId").asText()).isEqualTo(tenant.agentId());

    ApiClient.Reply seen = widget("POST", "/api/v1/widget/bookings/lookup").body(Map.of("token", token)).send();
    assertThat(seen.status()).as("%s", seen).isEqualTo(200);
    assertThat(seen.json().get("start").asText()).isEqualTo(start.toString());
    assertThat(seen.json().get("invitation").asText()).contains("ATTENDEE;CN=\"Grace Hopper\"");

    ApiClient.Reply moved = widget("POST", "/api/v1/widget/bookings/reschedule")
        .body(Map.of("token", token, "start", start.plusSeconds(3600).toString())).send();
    assertThat(moved.status()).as("%s", moved).isEqualTo(200);
    assertThat(moved.json().get("sequence").asInt()).isEqualTo(1);
    assertThat(moved.json().get("invitation").asText()).contains("SEQUENCE:1\r\n", "METHOD:REQUEST");
    String uid = "UID:" + made.get("bookingId").asText() + "@videoshop";

    String tampered = token.substring(0, token.length() - 3) + (token.endsWith("AAA") ? "BBB" : "AAA");
    ApiClient.Reply refused = widget("POST", "/api/v1/widget/bookings/cancel").body(Map.of("token", tampered)).send();
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.code()).isEqualTo("invalid_booking_link");
    ApiClient.Reply accessToken = widget("POST", "/api/v1/widget/bookings/cancel")
        .body(Map.of("token", tenant.adminToken())).send();
    assertThat(accessToken.code()).as("an access token is no booking link").isEqualTo("invalid_booking_link");
    ApiClient.Reply wrongOrigin = first.api.call("POST", "/api/v1/widget/bookings/cancel").header("X-Widget-Key", widgetKey)
        .header("Origin", "https://evil.example").body(Map.of("token", token)).send();
    assertThat(wrongOrigin.code()).isEqualTo("origin_not_allowed");

    ApiClient.Reply cancelled = widget("POST", "/api/v1/widget/bookings/cancel")
        .body(Map.of("token", token, "reason", "cannot make it")).send();
    assertThat(cancelled.status()).as("%s", cancelled).isEqualTo(200);
    assertThat(cancelled.json().get("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.json().get("invitation").asText()).contains("METHOD:CANCEL\r\n", uid + "\r\n", "SEQUENCE:2\r\n");
    ApiClient.Reply again = widget("POST", "/api/v1/widget/bookings/cancel").body(Map.of("token", token)).send();
    assertThat(again.code()).isEqualTo("booking_cancelled");
    // The freed time can be booked again with that agent.
    assertThat(book(first.api, start.plusSeconds(3600), "Next Shopper", tenant.agentId()).status()).isEqualTo(201);
  }

  @Test
  void theChangeNoticeBindsShoppersButNotAdmins() {
    JsonNode made = book(first.api, slot(6, 9), "Late Changer", null).json();
    String token = made.get("manageToken").asText();
    Map<String, Object> policy = new HashMap<>(Map.of("slotMinutes", 30, "intervalMinutes", 30, "bufferBeforeMinutes", 0,
        "bufferAfterMinutes", 0, "minNoticeMinutes", 120, "horizonDays", 30, "maxPerAgentPerDay", 16,
        "changeNoticeMinutes", 43_200));
    try {
      assertThat(first.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/booking-policy").bearer(tenant.adminToken())
          .body(policy).send().status()).isEqualTo(200);
      ApiClient.Reply late = widget("POST", "/api/v1/widget/bookings/cancel").body(Map.of("token", token)).send();
      assertThat(late.status()).isEqualTo(409);
      assertThat(late.code()).isEqualTo("change_too_late");
      ApiClient.Reply byAdmin = first.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/bookings/"
          + made.get("bookingId").asText() + "/cancel").bearer(tenant.adminToken()).body(Map.of("reason", "closed")).send();
      assertThat(byAdmin.status()).as("%s", byAdmin).isEqualTo(200);
      assertThat(byAdmin.json().get("status").asText()).isEqualTo("cancelled");
    } finally {
      policy.put("changeNoticeMinutes", 120);
      first.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/booking-policy").bearer(tenant.adminToken())
          .body(policy).send();
    }
  }

  @Test
  void badInputGetsClearCodesAndBooksNothing() {
    ApiClient.Reply invalid = widget("POST", "/api/v1/widget/bookings").body(Map.of("start", "tomorrow",
        "name", "", "email", "not-an-email", "phone", "call me maybe", "timeZone", "Mars/Olympus", "consent", false,
        "notes", "x".repeat(1001))).send();
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.code()).isEqualTo("validation_failed");
    List<String> fields = new ArrayList<>();
    invalid.json().get("errors").forEach(error -> fields.add(error.get("field").asText()));
    assertThat(fields).containsExactlyInAnyOrder("start", "name", "email", "phone", "timeZone", "consent", "notes");
    assertThat(widget("POST", "/api/v1/widget/bookings").body("{\"start\":\"x\",\"surprise\":1}").send().code())
        .isEqualTo("unknown_field");

    assertThat(book(first.api, Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.HOURS),
        "Past", null).code()).isEqualTo("slot_in_past");
    ApiClient.Reply soon = book(first.api, Instant.now().plusSeconds(1800), "Soon", null);
    assertThat(soon.code()).isEqualTo("slot_outside_policy");
    assertThat(soon.json().at("/errors/0/code").asText()).isEqualTo("slot_too_soon");
    assertThat(book(first.api, slot(60, 10), "Far", null).json().at("/errors/0/code").asText()).isEqualTo("slot_too_far");
    assertThat(book(first.api, slot(7, 10).plusSeconds(600), "Off grid", null).json().at("/errors/0/code").asText())
        .isEqualTo("slot_not_offered");
    assertThat(book(first.api, slot(7, 10), "Nobody", "no-such-agent").code()).isEqualTo("agent_not_bookable");

    ApiClient.Reply noKey = first.api.call("GET", "/api/v1/widget/slots").header("Origin", ORIGIN).send();
    assertThat(noKey.status()).isEqualTo(403);
    assertThat(noKey.code()).isEqualTo("widget_key_missing");
    ApiClient.Reply badOrigin = first.api.call("GET", "/api/v1/widget/slots").header("X-Widget-Key", widgetKey)
        .header("Origin", "https://evil.example").send();
    assertThat(badOrigin.code()).isEqualTo("origin_not_allowed");
    assertThat(widget("GET", "/api/v1/widget/slots?days=90").send().code()).isEqualTo("invalid_query");

    ApiClient.Reply badPolicy = first.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/booking-policy")
        .bearer(tenant.adminToken()).body(Map.of("slotMinutes", 1, "intervalMinutes", 30, "bufferBeforeMinutes", 0,
            "bufferAfterMinutes", 0, "minNoticeMinutes", 120, "horizonDays", 999, "maxPerAgentPerDay", 16,
            "changeNoticeMinutes", 120)).send();
    assertThat(badPolicy.status()).isEqualTo(422);
    assertThat(badPolicy.json().get("errors")).hasSize(2);
    assertThat(first.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/booking-policy").bearer(tenant.agentToken())
        .send().json().get("slotMinutes").asInt()).as("nothing half-changed").isEqualTo(30);
    ApiClient.Reply othersHours = first.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + tenant.adminId()
        + "/working-hours").bearer(tenant.agentToken()).body(Map.of("takesBookings", false)).send();
    assertThat(othersHours.status()).isEqualTo(403);
  }

  @Test
  void anAgentSetsTheirOwnHoursAndTheSlotsFollowThem() {
    String path = "/api/v1/tenants/" + tenant.id() + "/agents/" + tenant.agentId() + "/working-hours";
    LocalDate day = LocalDate.now(BERLIN).plusDays(8);
    Map<String, Object> evenings = Map.of("takesBookings", true, "timeZone", "Europe/Berlin",
        "daysOff", List.of(day.plusDays(1).toString()),
        "hours", Map.of("weekly", Map.of(
            day.getDayOfWeek().name().toLowerCase(), List.of(Map.of("from", "21:00", "to", "01:00")),
            day.plusDays(1).getDayOfWeek().name().toLowerCase(), List.of(Map.of("from", "21:00", "to", "01:00"))),
            "exceptions", List.of()));
    try {
      ApiClient.Reply set = first.api.call("PUT", path).bearer(tenant.agentToken()).body(evenings).send();
      assertThat(set.status()).as("%s", set).isEqualTo(200);
      assertThat(first.api.call("GET", path).bearer(tenant.agentToken()).send().json().at("/hours/takesBookings").asBoolean())
          .isTrue();
      JsonNode slots = first.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/slots?from=" + day + "&days=2&agentId="
          + tenant.agentId()).bearer(tenant.adminToken()).send().json().get("slots");
      List<String> local = new ArrayList<>();
      slots.forEach(slot -> local.add(slot.get("localStart").asText()));
      assertThat(local).containsExactly(day + "T21:00", day + "T21:30", day + "T22:00", day + "T22:30", day + "T23:00",
          day + "T23:30", day.plusDays(1) + "T00:00", day.plusDays(1) + "T00:30");
      ApiClient.Reply bad = first.api.call("PUT", path).bearer(tenant.agentToken()).body(Map.of("takesBookings", true,
          "timeZone", "Nowhere/City", "daysOff", List.of("someday"))).send();
      assertThat(bad.status()).isEqualTo(422);
      assertThat(bad.json().get("errors")).hasSize(2);
    } finally {
      first.api.call("PUT", path).bearer(tenant.adminToken()).body(Map.of("takesBookings", true)).send();
    }
  }
}
