package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.node.ApiClient;
import io.videoshop.node.MovableClock;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.SharedDatabase;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.push.TestPushService;
import io.videoshop.queue.TenantQueue;
import io.videoshop.queue.Ticket;
import io.videoshop.queue.TicketDetails;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A booking at its time, on PostgreSQL with one node whose clock the test moves (the outbox's due
 * times and the calendar judge by it; the queue keeps the system clock): a shopper who never comes
 * is marked a no-show by the outbox's check, once; a booked shopper who arrives brings the booked
 * agent a push, and the agent accepting the call records the booking attended with the room id;
 * the agent's console gets the notice before the appointment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookingAtTheTimeTest {
  private static final String ORIGIN = "https://time-shop.example";
  private static final String PUSH_SUBJECT = "mailto:booking-time@videoshop.invalid";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MovableClock clock = new MovableClock(Instant.now());
  private TestPlatform platform;
  private TestPushService pushService;

  @BeforeAll
  void start() throws Exception {
    platform = new TestPlatform(TestDatabase.postgres(), clock, """
        videoshop.notifications.outbox.poll-interval = 200ms
        videoshop.push { subject = "%s", endpoint-hosts = "127.0.0.1", allow-plain-http = true }
        """.formatted(PUSH_SUBJECT));
    pushService = new TestPushService(platform.node.platform().vapidKeys.publicKeyBase64Url(), PUSH_SUBJECT);
  }

  @AfterAll
  void stop() throws Exception {
    if (pushService != null) pushService.close();
    if (platform != null) platform.close();
  }

  /** A tenant (open all day) whose agent takes bookings on a 5-minute grid at no notice; its widget key. */
  private record Shop(TestPlatform.TestTenant tenant, String widgetKey) {}

  private Shop shop(String prefix, int noShowAfterMinutes) {
    TestPlatform.TestTenant tenant = platform.tenant(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    String key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
    Map<String, Object> policy = new LinkedHashMap<>(Map.of("slotMinutes", 5, "intervalMinutes", 5,
        "bufferBeforeMinutes", 0, "bufferAfterMinutes", 0, "minNoticeMinutes", 0, "horizonDays", 30,
        "maxPerAgentPerDay", 200, "changeNoticeMinutes", 0, "agentReminderMinutes", 10));
    policy.put("reminderMinutes", List.of());
    policy.put("noShowAfterMinutes", noShowAfterMinutes);
    ApiClient.Reply set = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/booking-policy")
        .bearer(tenant.adminToken()).body(policy).send();
    assertThat(set.status()).as("%s", set).isEqualTo(200);
    assertThat(set.json().get("noShowAfterMinutes").asInt()).isEqualTo(noShowAfterMinutes);
    // The agent sets their own hours (the tenant's: open all day).
    assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + tenant.agentId()
        + "/working-hours").bearer(tenant.agentToken()).body(Map.of("takesBookings", true)).send().status())
        .isEqualTo(200);
    return new Shop(tenant, key);
  }

  /** The first start on the 5-minute grid after the node's now (Berlin's offset is whole hours). */
  private Instant nextGridStart() {
    Instant now = clock.instant();
    long fiveMinutes = Duration.ofMinutes(5).toSeconds();
    return Instant.ofEpochSecond((now.getEpochSecond() / fiveMinutes + 1) * fiveMinutes);
  }

  private String book(Shop shop, Instant start) {
    ApiClient.Reply booked = platform.api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", shop.widgetKey())
        .header("Origin", ORIGIN).body(Map.of("start", start.toString(), "name", "Bea Booked",
            "email", "bea@buyer.test", "productInterest", "rain jacket", "consent", true)).send();
    assertThat(booked.status()).as("%s", booked).isEqualTo(201);
    return booked.json().get("bookingId").asText();
  }

  private JsonNode booking(Shop shop, String bookingId) {
    for (JsonNode item : platform.api.call("GET", "/api/v1/tenants/" + shop.tenant().id() + "/bookings")
        .bearer(shop.tenant().adminToken()).send().json().get("items")) {
      if (item.get("bookingId").asText().equals(bookingId)) return item;
    }
    return null;
  }

  private String status(Shop shop, String bookingId) {
    JsonNode booking = booking(shop, bookingId);
    return booking == null ? null : booking.get("status").asText();
  }

  private List<Map<String, Object>> outboxRows(String tenantId, String kind) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT status, due_at FROM outbox WHERE tenant_id = :t AND kind = :k ORDER BY id")
        .bind("t", tenantId).bind("k", kind).mapToMap().list());
  }

  /** The booking's calendar checks of one kind (no-show or missed), as outbox rows. */
  private List<Map<String, Object>> checks(Shop shop, String topic) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT status, due_at FROM outbox WHERE tenant_id = :t AND kind = :k AND topic = :topic ORDER BY id")
        .bind("t", shop.tenant().id()).bind("k", CalendarChannel.KIND).bind("topic", topic).mapToMap().list());
  }

  /** The shopper joins the queue as the booking, as the widget's join-booking does; the ticket id. */
  private String joinAsBooking(Shop shop, String bookingId, Instant start) throws Exception {
    PersonalDataVault vault = SharedDatabase.get(platform.node.system()).personalDataVault();
    String subject = "shopper-" + UUID.randomUUID();
    List<EncryptedPersonalData> sealed = vault.encryptNew(subject, List.of("Bea Booked", "bea@buyer.test"));
    TicketDetails details = new TicketDetails(subject, sealed.get(0), sealed.get(1), null, null, "en", Set.of(),
        "rain jacket", null, true);
    Ticket.Booked booked = Ticket.Booked.of(bookingId, shop.tenant().agentId(), start, clock.instant(),
        Duration.ofMinutes(2));
    TenantQueue.JoinReply joined = queue(shop).<TenantQueue.JoinReply>ask(
        replyTo -> new TenantQueue.Join(details, null, replyTo, booked), Duration.ofSeconds(5)).toCompletableFuture().get();
    assertThat(joined).isInstanceOf(TenantQueue.Queued.class);
    return ((TenantQueue.Queued) joined).ticketId();
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<TenantQueue.Command> queue(Shop shop) {
    return ClusterSharding.get(platform.node.system()).entityRefFor(TenantQueue.ENTITY_KEY, shop.tenant().id());
  }

  private BookingCalendar.Booking inCalendar(Shop shop, String bookingId) throws Exception {
    return ((BookingCalendar.BookingAccepted) platform.node.platform().calendars.<BookingCalendar.BookingReply>ask(
        shop.tenant().id(), replyTo -> new BookingCalendar.GetBooking(bookingId, replyTo)).toCompletableFuture().get())
        .booking();
  }

  private long outcomeEvents(String tenantId) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery("""
            SELECT count(*) FROM event_journal WHERE persistence_id = :p AND event_ser_manifest LIKE :m""")
        .bind("p", "BookingCalendar|" + tenantId).bind("m", "%BookingOutcomeRecorded%").mapTo(Long.class).one());
  }

  @Test
  void aBookedShopperWhoNeverComesIsMarkedANoShowOnce() throws Exception {
    clock.set(Instant.now());
    Shop shop = shop("no-show", 1);
    Instant start = nextGridStart();
    String bookingId = book(shop, start);
    // The check waits as an outbox row, due a minute after the start.
    await().atMost(Duration.ofSeconds(20)).until(() -> checks(shop, CalendarChannel.NO_SHOW_TOPIC).size() == 1);
    Map<String, Object> check = checks(shop, CalendarChannel.NO_SHOW_TOPIC).get(0);
    assertThat(check.get("status")).isEqualTo("pending");
    assertThat(((java.sql.Timestamp) check.get("due_at")).toInstant()).isEqualTo(start.plus(Duration.ofMinutes(1)));

    clock.set(start.plusSeconds(30));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> "booked".equals(status(shop, bookingId)));

    clock.set(start.plusSeconds(61));
    await().atMost(Duration.ofSeconds(20)).until(() -> "no_show".equals(status(shop, bookingId)));
    assertThat(booking(shop, bookingId).path("roomId").isTextual()).as("no room").isFalse();
    await().atMost(Duration.ofSeconds(10))
        .until(() -> "delivered".equals(checks(shop, CalendarChannel.NO_SHOW_TOPIC).get(0).get("status")));

    // The same check delivered again (a node that lost its lease mid-send): nothing more is recorded.
    BookingCalendar.BookingReply again = platform.node.platform().calendars.<BookingCalendar.BookingReply>ask(
        shop.tenant().id(), replyTo -> new BookingCalendar.CheckNoShow(bookingId, 0, replyTo))
        .toCompletableFuture().get();
    assertThat(((BookingCalendar.BookingAccepted) again).booking().status()).isEqualTo(BookingCalendar.Status.NO_SHOW);
    assertThat(outcomeEvents(shop.tenant().id())).as("one outcome in the journal").isEqualTo(1);
    assertThat(checks(shop, CalendarChannel.NO_SHOW_TOPIC)).hasSize(1);
  }

  @Test
  void aBookedShopperArrivingPushesTheAgentAndTheAcceptedCallMarksTheBookingAttendedWithItsRoom() throws Exception {
    // Book a start that is past by the queue's (system) clock: the node's clock a little earlier.
    clock.set(Instant.now().minus(Duration.ofMinutes(5)));
    Shop shop = shop("attended", 10);
    Instant start = nextGridStart();
    String bookingId = book(shop, start);
    assertThat(platform.api.call("POST", "/api/v1/me/push-subscriptions").bearer(shop.tenant().agentToken())
        .body(pushService.subscribe(shop.tenant().slug())).send().status()).isEqualTo(201);
    clock.set(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    assertThat(clock.instant()).isAfterOrEqualTo(start);

    try (SocketClient console = SocketClient.agent(platform.node.httpPort(), shop.tenant().agentToken())) {
      console.send(Map.of("type", "presence", "presence", "available", "languages", List.of("en")));
      assertThat(console.next("ok").get("request").asText()).isEqualTo("presence");

      // The shopper arrives for the booking (as the widget joins with it), held for the booked agent 2 minutes.
      joinAsBooking(shop, bookingId, start);

      // The booked agent's browser is told, with the time the shopper is held for them as TTL.
      await().atMost(Duration.ofSeconds(20)).until(() -> pushService.receivedAt(shop.tenant().slug()).stream()
          .anyMatch(push -> push.payload() != null && push.payload().contains("booked-shopper-arrived")));
      TestPushService.Received arrived = pushService.receivedAt(shop.tenant().slug()).stream()
          .filter(push -> push.payload() != null && push.payload().contains("booked-shopper-arrived")).findFirst()
          .orElseThrow();
      assertThat(arrived.problems()).isEmpty();
      assertThat(arrived.headers().get("Topic")).startsWith("arrived-");
      assertThat(Long.parseLong(arrived.headers().get("TTL"))).isBetween(60L, 120L);
      assertThat(JSON.readTree(arrived.payload()).get("url").asText()).isEqualTo("/console");

      JsonNode offer = console.next("reservation");
      console.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      String roomId = console.next("assigned").get("roomId").asText();

      await().atMost(Duration.ofSeconds(20)).until(() -> "attended".equals(status(shop, bookingId)));
      assertThat(booking(shop, bookingId).get("roomId").asText()).isEqualTo(roomId);
    }
    // Its no-show check, when due, finds the booking attended and changes nothing.
    clock.set(start.plus(Duration.ofMinutes(10)).plusSeconds(1));
    await().atMost(Duration.ofSeconds(20))
        .until(() -> "delivered".equals(checks(shop, CalendarChannel.NO_SHOW_TOPIC).get(0).get("status")));
    assertThat(status(shop, bookingId)).isEqualTo("attended");
    assertThat(outcomeEvents(shop.tenant().id())).isEqualTo(1);
  }

  @Test
  void aBookedShopperWhoCameButLeftWithoutACallIsMarkedMissedAtTheEndAndTheAgentSeesIt() throws Exception {
    clock.set(Instant.now());
    Shop shop = shop("missed", 10);
    Instant start = nextGridStart();
    Instant end = start.plus(Duration.ofMinutes(5));
    String bookingId = book(shop, start);
    await().atMost(Duration.ofSeconds(20)).until(() -> checks(shop, CalendarChannel.MISSED_TOPIC).size() == 1);
    assertThat(((java.sql.Timestamp) checks(shop, CalendarChannel.MISSED_TOPIC).get(0).get("due_at")).toInstant())
        .as("the missed check is due at the booking's end").isEqualTo(end);
    // The node's (and the calendar's) time at the start; no agent is there to take the call.
    clock.set(start);

    // The shopper comes, nobody accepts them, and they leave the queue before the end.
    String ticketId = joinAsBooking(shop, bookingId, start);
    await().atMost(Duration.ofSeconds(20)).until(() -> inCalendar(shop, bookingId).arrivedAt() != null);
    assertThat(queue(shop).<TenantQueue.Confirmation>ask(replyTo -> new TenantQueue.Leave(ticketId, replyTo),
        Duration.ofSeconds(5)).toCompletableFuture().get()).isNotNull();
    await().atMost(Duration.ofSeconds(20)).until(() -> inCalendar(shop, bookingId).leftAt() != null);
    assertThat(status(shop, bookingId)).as("not before the end").isEqualTo("booked");

    // At the end the outbox's check marks it missed, once; the no-show check (later) changes nothing.
    clock.set(end.plusSeconds(1));
    await().atMost(Duration.ofSeconds(20)).until(() -> "missed".equals(status(shop, bookingId)));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> "delivered".equals(checks(shop, CalendarChannel.MISSED_TOPIC).get(0).get("status")));
    clock.set(start.plus(Duration.ofMinutes(10)).plusSeconds(1));
    await().atMost(Duration.ofSeconds(20))
        .until(() -> "delivered".equals(checks(shop, CalendarChannel.NO_SHOW_TOPIC).get(0).get("status")));
    assertThat(status(shop, bookingId)).isEqualTo("missed");
    assertThat(outcomeEvents(shop.tenant().id())).isEqualTo(1);

    // The booked agent sees it among their own bookings.
    JsonNode mine = platform.api.call("GET", "/api/v1/tenants/" + shop.tenant().id() + "/bookings?status=missed")
        .bearer(shop.tenant().agentToken()).send().json().get("items");
    assertThat(mine).hasSize(1);
    assertThat(mine.get(0).get("bookingId").asText()).isEqualTo(bookingId);
    assertThat(mine.get(0).get("agentId").asText()).isEqualTo(shop.tenant().agentId());
  }

  @Test
  void theAgentsConsoleGetsTheNoticeTenMinutesBeforeAnAppointment() throws Exception {
    clock.set(Instant.now());
    Shop shop = shop("notice", 15);
    assertThat(platform.api.call("POST", "/api/v1/me/push-subscriptions").bearer(shop.tenant().agentToken())
        .body(pushService.subscribe(shop.tenant().slug())).send().status()).isEqualTo(201);
    Instant start = nextGridStart().plus(Duration.ofMinutes(15));
    String bookingId = book(shop, start);
    await().atMost(Duration.ofSeconds(20)).until(() -> outboxRows(shop.tenant().id(), AppointmentNotices.KIND).size() == 1);
    assertThat(((java.sql.Timestamp) outboxRows(shop.tenant().id(), AppointmentNotices.KIND).get(0).get("due_at"))
        .toInstant()).isEqualTo(start.minus(Duration.ofMinutes(10)));

    try (SocketClient console = SocketClient.agent(platform.node.httpPort(), shop.tenant().agentToken());
        SocketClient admin = SocketClient.agent(platform.node.httpPort(), shop.tenant().adminToken())) {
      console.next("queue");
      admin.next("queue");
      clock.set(start.minus(Duration.ofMinutes(10)).plusSeconds(1));
      JsonNode notice = console.next("appointment-soon");
      assertThat(notice.get("bookingId").asText()).isEqualTo(bookingId);
      assertThat(Instant.parse(notice.get("startsAt").asText())).isEqualTo(start);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          "delivered".equals(outboxRows(shop.tenant().id(), AppointmentNotices.KIND).get(0).get("status")));
      // Its twin, the push to the agent's browser, at the same time, good until the start.
      await().atMost(Duration.ofSeconds(20)).until(() -> pushService.receivedAt(shop.tenant().slug()).stream()
          .anyMatch(push -> push.payload() != null && push.payload().contains("appointment-reminder")));
      TestPushService.Received reminder = pushService.receivedAt(shop.tenant().slug()).stream()
          .filter(push -> push.payload() != null && push.payload().contains("appointment-reminder")).findFirst()
          .orElseThrow();
      assertThat(reminder.problems()).isEmpty();
      assertThat(reminder.headers().get("Topic")).startsWith("reminder-");
      assertThat(Long.parseLong(reminder.headers().get("TTL"))).isBetween(9 * 60L, 10 * 60L);
      // Another agent's console hears nothing of it.
      admin.send(Map.of("type", "presence", "presence", "away"));
      admin.next("ok");
      assertThat(admin.seen()).noneMatch(frame -> frame.path("type").asText().equals("appointment-soon"));
    }
  }

  @Test
  void theBookedAgentsBrowserIsPushedTenMinutesBeforeTheAppointmentAndACancelledOneNever() throws Exception {
    clock.set(Instant.now());
    Shop shop = shop("remind", 15);
    String browser = shop.tenant().slug();
    assertThat(platform.api.call("POST", "/api/v1/me/push-subscriptions").bearer(shop.tenant().agentToken())
        .body(pushService.subscribe(browser)).send().status()).isEqualTo(201);
    Instant start = nextGridStart().plus(Duration.ofMinutes(15));
    book(shop, start);
    String cancelled = book(shop, start.plus(Duration.ofMinutes(5)));

    // One push row per booking and browser, due the policy's 10 minutes before its start.
    await().atMost(Duration.ofSeconds(20)).until(() -> outboxRows(shop.tenant().id(), "push").size() == 2);
    assertThat(outboxRows(shop.tenant().id(), "push")).extracting(row ->
            ((java.sql.Timestamp) row.get("due_at")).toInstant())
        .containsExactly(start.minus(Duration.ofMinutes(10)), start.minus(Duration.ofMinutes(5)));
    assertThat(platform.api.call("POST", "/api/v1/tenants/" + shop.tenant().id() + "/bookings/" + cancelled + "/cancel")
        .bearer(shop.tenant().adminToken()).body(Map.of()).send().status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(20)).until(() -> outboxRows(shop.tenant().id(), "push").get(1).get("status")
        .equals("gone"));
    assertThat(pushService.receivedAt(browser)).as("nothing before its time").isEmpty();

    clock.set(start.minus(Duration.ofMinutes(10)).plusSeconds(1));
    await().atMost(Duration.ofSeconds(20)).until(() -> !pushService.receivedAt(browser).isEmpty());
    TestPushService.Received reminder = pushService.receivedAt(browser).get(0);
    assertThat(reminder.problems()).isEmpty();
    assertThat(reminder.headers().get("Topic")).startsWith("reminder-").hasSizeLessThanOrEqualTo(32);
    assertThat(reminder.headers()).containsEntry("Urgency", "normal");
    assertThat(Long.parseLong(reminder.headers().get("TTL"))).as("until the appointment starts").isBetween(590L, 600L);
    JsonNode payload = JSON.readTree(reminder.payload());
    assertThat(payload.get("kind").asText()).isEqualTo("appointment-reminder");
    assertThat(payload.get("url").asText()).isEqualTo("/console");
    assertThat(reminder.payload()).as("no shopper's details in a push").doesNotContain("Bea").doesNotContain("rain");
    await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(
        outboxRows(shop.tenant().id(), "push").get(0).get("status")));
    assertThat(outboxRows(shop.tenant().id(), "push").get(1)).containsEntry("status", "gone");
    assertThat(pushService.receivedAt(browser)).hasSize(1);
  }
}
