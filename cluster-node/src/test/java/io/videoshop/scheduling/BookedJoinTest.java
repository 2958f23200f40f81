package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A booked shopper joins the queue over the widget socket with the booking's signed link
 * ({@code join-booking}): arriving early they wait without an offer while a walk-in is served, and
 * at the start the booked agent gets the first offer, ahead of the walk-in who waited longer.
 * Wrong, expired, foreign links and bookings that cannot be joined get stable codes and the socket
 * stays usable. One node on PostgreSQL, real WebSocket clients; the tenant's hours (UTC) open a
 * window a few seconds ahead so the booking's start comes during the test, by the queue's own timer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookedJoinTest {
  private static final String ORIGIN = "https://booked-join.example";

  private TestPlatform platform;
  private TestPlatform.TestTenant tenant;
  private String key;
  private int port;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    port = platform.node.httpPort();
    tenant = platform.tenant("booked-join");
    key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
    Map<String, Object> policy = new LinkedHashMap<>(Map.of("slotMinutes", 5, "intervalMinutes", 5,
        "bufferBeforeMinutes", 0, "bufferAfterMinutes", 0, "minNoticeMinutes", 0, "horizonDays", 30,
        "maxPerAgentPerDay", 50, "changeNoticeMinutes", 0));
    policy.put("bookedAgentMinutes", 1);
    policy.put("earlyArrivalMinutes", 15);
    ApiClient.Reply set = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/booking-policy")
        .bearer(tenant.adminToken()).body(policy).send();
    assertThat(set.status()).as("%s", set).isEqualTo(200);
    assertThat(set.json().get("bookedAgentMinutes").asInt()).isEqualTo(1);
    assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + tenant.agentId()
        + "/working-hours").bearer(tenant.adminToken()).body(Map.of("takesBookings", true)).send().status())
        .isEqualTo(200);
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  /** The tenant open all day (UTC), with today's hours split at {@code at}, so a slot starts exactly then. */
  private void openWithSlotAt(Instant at) {
    String split = at.atOffset(ZoneOffset.UTC).toLocalTime().toString();
    Map<String, Object> hours = Map.of("weekly", io.videoshop.tenant.BusinessHours.always().weekly(),
        "exceptions", List.of(Map.of("date", LocalDate.now(ZoneOffset.UTC).toString(), "windows",
            List.of(Map.of("from", "00:00", "to", split), Map.of("from", split, "to", "00:00")))));
    ApiClient.Reply saved = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/settings")
        .bearer(tenant.ownerToken()).body(Map.of("timeZone", "UTC", "currency", "EUR", "businessHours", hours,
            "queue", Map.of("maxLength", 50, "maxWaitSeconds", 600, "reservationTimeoutSeconds", 30,
                "routingStrategy", "longest-idle"), "allowedOrigins", List.of()))
        .send();
    assertThat(saved.status()).as("%s", saved).isEqualTo(200);
  }

  private JsonNode book(Instant start) {
    ApiClient.Reply booked = widget("POST", "/api/v1/widget/bookings").body(Map.of("start", start.toString(),
        "agentId", tenant.agentId(), "name", "Bea Booked", "email", "bea@buyer.test", "timeZone", "Europe/Berlin",
        "productInterest", "a winter coat", "consent", true)).send();
    assertThat(booked.status()).as("%s", booked).isEqualTo(201);
    return booked.json();
  }

  private ApiClient.Call widget(String method, String path) {
    return platform.api.call(method, path).header("X-Widget-Key", key).header("Origin", ORIGIN);
  }

  private SocketClient shopper() throws Exception {
    SocketClient socket = SocketClient.widget(port, key, ORIGIN);
    socket.next("hello");
    return socket;
  }

  private static JsonNode answer(SocketClient socket) {
    return socket.next(message -> message.path("type").asText().matches("queued|refused|error"), "join answer");
  }

  @Test
  void aBookedShopperArrivingEarlyWaitsAndIsOfferedToTheBookedAgentFirstAtTheStart() throws Exception {
    Instant start = Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.SECONDS);
    openWithSlotAt(start);
    JsonNode booking = book(start);
    assertThat(booking.get("agentId").asText()).isEqualTo(tenant.agentId());
    assertThat(Instant.parse(booking.get("joinableFrom").asText())).isEqualTo(start.minus(Duration.ofMinutes(15)));

    try (SocketClient walkIn = shopper(); SocketClient booked = shopper();
        SocketClient alex = SocketClient.agent(port, tenant.agentToken());
        SocketClient olivia = SocketClient.agent(port, tenant.adminToken())) {
      walkIn.send(Map.of("type", "join", "name", "Walter Walk-in"));
      JsonNode walkInQueued = answer(walkIn);
      assertThat(walkInQueued.get("type").asText()).as("%s", walkInQueued).isEqualTo("queued");
      booked.send(Map.of("type", "join-booking", "token", booking.get("manageToken").asText()));
      JsonNode bookedQueued = answer(booked);
      assertThat(bookedQueued.get("type").asText()).as("%s", bookedQueued).isEqualTo("queued");
      assertThat(Instant.now()).as("the test arrived early").isBefore(start);

      // Before the start another agent is served the walk-in; the booked shopper keeps waiting.
      olivia.send(Map.of("type", "presence", "presence", "available"));
      JsonNode toOlivia = olivia.next("reservation");
      assertThat(toOlivia.at("/ticket/ticketId").asText()).isEqualTo(walkInQueued.get("ticketId").asText());

      // The booked agent is free before the start: the first offer comes at the start, and it is the booking.
      alex.send(Map.of("type", "presence", "presence", "available"));
      JsonNode toAlex = alex.next("reservation");
      assertThat(Instant.now()).as("not offered before its start").isAfterOrEqualTo(start);
      assertThat(toAlex.at("/ticket/ticketId").asText()).isEqualTo(bookedQueued.get("ticketId").asText());
      assertThat(toAlex.at("/ticket/name").asText()).as("the booking's details, decrypted for the agent")
          .isEqualTo("Bea Booked");

      alex.send(Map.of("type", "accept", "reservationId", toAlex.get("reservationId").asText()));
      JsonNode agentAssigned = alex.next("assigned");
      assertThat(booked.next("assigned").get("roomId").asText()).isEqualTo(agentAssigned.get("roomId").asText());
    }
  }

  @Test
  void wrongExpiredForeignAndUnjoinableLinksGetStableCodesAndTheSocketStaysUsable() throws Exception {
    Instant tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).atTime(12, 0).toInstant(ZoneOffset.UTC);
    JsonNode later = book(tomorrow);
    String bookingId = later.get("bookingId").asText();
    BookingLinks expiredLinks = new BookingLinks(platform.node.platform().signingKeys, Duration.ofMinutes(5),
        Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
    BookingLinks links = platform.node.platform().bookingLinks;

    try (SocketClient shopper = shopper()) {
      shopper.send(Map.of("type", "join-booking"));
      JsonNode missing = answer(shopper);
      assertThat(missing.get("code").asText()).isEqualTo("invalid_field");
      assertThat(missing.get("field").asText()).isEqualTo("token");
      for (String token : List.of("not-a-token", expiredLinks.sign(tenant.id(), bookingId),
          links.sign("another-tenant", bookingId), platform.operatorToken())) {
        shopper.send(Map.of("type", "join-booking", "token", token));
        JsonNode refused = answer(shopper);
        assertThat(refused.get("type").asText()).isEqualTo("error");
        assertThat(refused.get("code").asText()).as("%s", refused).isEqualTo("invalid_booking_link");
      }
      shopper.send(Map.of("type", "join-booking", "token", links.sign(tenant.id(), "no-such-booking")));
      assertThat(answer(shopper).get("code").asText()).isEqualTo("booking_not_found");

      shopper.send(Map.of("type", "join-booking", "token", later.get("manageToken").asText()));
      JsonNode early = answer(shopper);
      assertThat(early.get("code").asText()).as("%s", early).isEqualTo("arrival_too_early");

      assertThat(platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/bookings/" + bookingId + "/cancel")
          .bearer(tenant.adminToken()).body(Map.of("reason", "test")).send().status()).isEqualTo(200);
      shopper.send(Map.of("type", "join-booking", "token", later.get("manageToken").asText()));
      assertThat(answer(shopper).get("code").asText()).isEqualTo("booking_cancelled");

      // Nothing was queued by any of it, and the same socket still joins.
      shopper.send(Map.of("type", "join", "name", "Still Here"));
      assertThat(answer(shopper).get("type").asText()).isEqualTo("queued");
    }
  }

  @Test
  void thePublicBookingRoutesAnswerOtherOriginsBrowsers() {
    ApiClient.Reply preflight = platform.api.call("OPTIONS", "/api/v1/widget/bookings").header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type,x-widget-key")
        .send();
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("X-Widget-Key");
    ApiClient.Reply refused = widget("POST", "/api/v1/widget/bookings/lookup").body(Map.of("token", "nope")).send();
    assertThat(refused.code()).isEqualTo("invalid_booking_link");
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).as("a problem the page can read").hasValue("*");
  }
}
