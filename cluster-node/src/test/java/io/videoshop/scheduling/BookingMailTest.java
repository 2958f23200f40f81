package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.videoshop.node.ApiClient;
import io.videoshop.node.MovableClock;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A booking's mails through a node on PostgreSQL to an SMTP server (GreenMail): the confirmation
 * with its ICS invitation, the change after a reschedule by the signed link (same UID, SEQUENCE
 * raised), the cancellation (METHOD:CANCEL, same UID); reminders at the tenant's offsets as due
 * outbox rows, sent once each when due, across a node restart (a movable clock).
 */
class BookingMailTest {
  private static final String ORIGIN = "https://mail-shop.example";
  private static final String SHOPPER = "sam.shopper@buyer.test";
  private static final Pattern TOKEN = Pattern.compile(Pattern.quote(BookingMails.LINK_FRAGMENT) + "([A-Za-z0-9_.-]+)");
  private static final DateTimeFormatter ICS_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private GreenMail smtp;
  private TestDatabase database;

  @BeforeEach
  void startSmtp() {
    smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
    database = TestDatabase.postgres();
  }

  @AfterEach
  void stopSmtp() {
    smtp.stop();
    database.close();
  }

  private String smtpHocon() {
    return """
        videoshop.notifications.mail {
          transport = smtp
          public-base-url = "https://videoshop.example"
          smtp { host = "127.0.0.1", port = %d, tls = none }
        }
        videoshop.notifications.outbox.poll-interval = 200ms
        """.formatted(smtp.getSmtp().getPort());
  }

  private TestPlatform platform(java.time.Clock clock) {
    TestPlatform platform = new TestPlatform(database, clock, smtpHocon());
    current = platform;
    platform.mailbox = (to, prefix) -> {
      Pattern token = Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_-]{20,}");
      String[] found = new String[1];
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (MimeMessage message : smtp.getReceivedMessages()) {
          if (!message.getAllRecipients()[0].toString().equals(to)) continue;
          Matcher matcher = token.matcher(part(message, "text/plain"));
          if (matcher.find()) found[0] = matcher.group();
        }
        return found[0] != null;
      });
      return found[0];
    };
    return platform;
  }

  /** A tenant (Europe/Berlin) whose agent takes bookings, with a widget key for {@link #ORIGIN}. */
  private static String[] shop(TestPlatform platform, TestPlatform.TestTenant tenant) {
    String key = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of(ORIGIN))).send().json().get("publicKey").asText();
    assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + tenant.agentId() + "/working-hours")
        .bearer(tenant.adminToken()).body(Map.of("takesBookings", true)).send().status()).isEqualTo(200);
    return new String[] {key};
  }

  @Test
  void confirmationChangeAndCancellationCarryOneInvitationWithARisingSequence() throws Exception {
    io.videoshop.notification.LogCapture logs = new io.videoshop.notification.LogCapture();
    TestPlatform platform = platform(java.time.Clock.systemUTC());
    try {
      TestPlatform.TestTenant tenant = platform.tenant("mails-" + UUID.randomUUID().toString().substring(0, 8));
      String key = shop(platform, tenant)[0];
      Instant start = LocalDate.now(BERLIN).plusDays(3).atTime(15, 0).atZone(BERLIN).toInstant();
      ApiClient.Reply booked = public_(platform.api, key, "/api/v1/widget/bookings", Map.of("start", start.toString(),
          "name", "Sam Shopper", "email", SHOPPER, "timeZone", "America/New_York", "consent", true));
      assertThat(booked.status()).as("%s", booked).isEqualTo(201);
      String bookingId = booked.json().get("bookingId").asText();

      MimeMessage confirmation = awaitMail("booking_confirmation", 1).get(0);
      assertThat(confirmation.getSubject()).contains("Shop " + tenant.slug());
      String text = part(confirmation, "text/plain");
      assertThat(text).contains("Sam Shopper").contains("agent of " + tenant.slug())
          .contains(BookingMails.format(start, ZoneId.of("America/New_York"), "en") + " (America/New_York)")
          .contains(BookingMails.format(start, BERLIN, "en") + " (Europe/Berlin");
      Map<String, String> invite = ics(confirmation);
      assertThat(invite.get("METHOD")).isEqualTo("REQUEST");
      assertThat(invite.get("UID")).isEqualTo(bookingId + "@videoshop");
      assertThat(invite.get("SEQUENCE")).isEqualTo("0");
      assertThat(invite.get("DTSTART")).isEqualTo(ICS_TIME.format(start));
      assertThat(invite.get("DTEND")).isEqualTo(ICS_TIME.format(start.plus(Duration.ofMinutes(30))));
      assertThat(invite.get("STATUS")).isEqualTo("CONFIRMED");
      assertThat(invite.get("ATTENDEE")).endsWith("mailto:" + SHOPPER);

      // The mail's link: the store page with the signed token in the fragment; it works without an account.
      Matcher link = TOKEN.matcher(text);
      assertThat(link.find()).as("a manage link in %s", text).isTrue();
      assertThat(text).as("the store page of the widget key").contains(ORIGIN + "/" + BookingMails.LINK_FRAGMENT);
      String token = link.group(1);
      ApiClient.Reply lookedUp = public_(platform.api, key, "/api/v1/widget/bookings/lookup", Map.of("token", token));
      assertThat(lookedUp.status()).as("%s", lookedUp).isEqualTo(200);
      assertThat(lookedUp.json().get("bookingId").asText()).isEqualTo(bookingId);

      // Reminders wait in the outbox, due at the default offsets (24 h and 1 h), encrypted.
      await().atMost(Duration.ofSeconds(20)).until(() -> pendingReminders(platform, tenant.id()).size() == 2);
      assertThat(pendingReminders(platform, tenant.id()))
          .containsExactly(start.minus(Duration.ofHours(24)), start.minus(Duration.ofHours(1)));
      assertThat(plainAddressInOutbox(platform)).as("the outbox holds no plain address").isZero();

      // An outcome only once its time has come; a bad one is named.
      String outcome = "/api/v1/tenants/" + tenant.id() + "/bookings/" + bookingId + "/outcome";
      ApiClient.Reply early = platform.api.call("POST", outcome).bearer(tenant.agentToken())
          .body(Map.of("outcome", "attended", "roomId", "room-1")).send();
      assertThat(early.code()).as("%s", early).isEqualTo("outcome_too_early");
      ApiClient.Reply badOutcome = platform.api.call("POST", outcome).bearer(tenant.adminToken())
          .body(Map.of("outcome", "maybe")).send();
      assertThat(badOutcome.status()).isEqualTo(422);

      Instant later = start.plus(Duration.ofHours(1));
      ApiClient.Reply moved = public_(platform.api, key, "/api/v1/widget/bookings/reschedule",
          Map.of("token", token, "start", later.toString()));
      assertThat(moved.status()).as("%s", moved).isEqualTo(200);
      MimeMessage change = awaitMail("booking_changed", 1).get(0);
      Map<String, String> update = ics(change);
      assertThat(update.get("METHOD")).isEqualTo("REQUEST");
      assertThat(update.get("UID")).isEqualTo(bookingId + "@videoshop");
      assertThat(update.get("SEQUENCE")).isEqualTo("1");
      assertThat(update.get("DTSTART")).isEqualTo(ICS_TIME.format(later));
      assertThat(part(change, "text/plain")).contains(BookingMails.format(later, BERLIN, "en"));
      await().atMost(Duration.ofSeconds(20)).until(() -> pendingReminders(platform, tenant.id())
          .equals(List.of(later.minus(Duration.ofHours(24)), later.minus(Duration.ofHours(1)))));

      ApiClient.Reply cancelled = public_(platform.api, key, "/api/v1/widget/bookings/cancel", Map.of("token", token));
      assertThat(cancelled.status()).as("%s", cancelled).isEqualTo(200);
      MimeMessage cancellation = awaitMail("booking_cancelled", 1).get(0);
      Map<String, String> cancel = ics(cancellation);
      assertThat(cancel.get("METHOD")).isEqualTo("CANCEL");
      assertThat(cancel.get("UID")).isEqualTo(bookingId + "@videoshop");
      assertThat(cancel.get("SEQUENCE")).isEqualTo("2");
      assertThat(cancel.get("STATUS")).isEqualTo("CANCELLED");
      await().atMost(Duration.ofSeconds(20)).until(() -> pendingReminders(platform, tenant.id()).isEmpty());
      assertThat(mails("booking_confirmation")).hasSize(1);
      assertThat(mails("booking_changed")).hasSize(1);
      assertThat(mails("booking_reminder")).as("none was due").isEmpty();
      // The signed booking link and the shopper's address travelled in mails only, never in a log line.
      List<String> lines = logs.lines();
      assertThat(lines).as("the capture saw the node at work").hasSizeGreaterThan(10);
      assertThat(lines).noneMatch(line -> line.contains(token)).noneMatch(line -> line.contains(SHOPPER));
    } finally {
      logs.close();
      platform.node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void remindersAtTheTenantsOffsetsGoOutOnceEachAcrossANodeRestart() throws Exception {
    MovableClock clock = new MovableClock(Instant.now());
    TestPlatform platform = platform(clock);
    VideoShopNode restarted = null;
    try {
      TestPlatform.TestTenant tenant = platform.tenant("remind-" + UUID.randomUUID().toString().substring(0, 8));
      String key = shop(platform, tenant)[0];
      Map<String, Object> policy = new LinkedHashMap<>();
      policy.putAll(Map.of("slotMinutes", 30, "intervalMinutes", 30, "bufferBeforeMinutes", 0, "bufferAfterMinutes", 0,
          "minNoticeMinutes", 120, "horizonDays", 30, "maxPerAgentPerDay", 16, "changeNoticeMinutes", 120));
      policy.put("reminderMinutes", List.of(600, 60));
      policy.put("agentReminderMinutes", 10);
      ApiClient.Reply set = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/booking-policy")
          .bearer(tenant.adminToken()).body(policy).send();
      assertThat(set.status()).as("%s", set).isEqualTo(200);
      ApiClient.Reply bad = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/booking-policy")
          .bearer(tenant.adminToken()).body(withReminders(policy, List.of(1))).send();
      assertThat(bad.status()).isEqualTo(422);
      assertThat(bad.body()).contains("reminderMinutes");

      Instant start = LocalDate.now(BERLIN).plusDays(2).atTime(11, 0).atZone(BERLIN).toInstant();
      ApiClient.Reply booked = public_(platform.api, key, "/api/v1/widget/bookings", Map.of("start", start.toString(),
          "name", "Rita Reminded", "email", SHOPPER, "consent", true, "language", "de-AT"));
      assertThat(booked.status()).as("%s", booked).isEqualTo(201);
      MimeMessage german = awaitMail("booking_confirmation", 1).get(0);
      assertThat(german.getSubject()).as("in the widget's language").startsWith("Ihr Videogespräch mit");
      assertThat(part(german, "text/plain")).contains(BookingMails.format(start, BERLIN, "de"));
      assertThat(ics(german).get("SUMMARY")).startsWith("Videogespräch mit");
      await().atMost(Duration.ofSeconds(20)).until(() -> pendingReminders(platform, tenant.id())
          .equals(List.of(start.minus(Duration.ofMinutes(600)), start.minus(Duration.ofMinutes(60)))));
      assertThat(mails("booking_reminder")).isEmpty();

      // The first is due: one node sends it.
      clock.set(start.minus(Duration.ofMinutes(600)).plusSeconds(1));
      List<MimeMessage> first = awaitMail("booking_reminder", 1);
      assertThat(first.get(0).getSubject()).startsWith("Erinnerung");
      assertThat(part(first.get(0), "text/plain")).contains("Rita Reminded")
          .contains(BookingMails.format(start, BERLIN, "de")).contains(BookingMails.LINK_FRAGMENT);

      // The node stops; when it comes back the second is due, and goes out once; the first not again.
      platform.node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      clock.set(start.minus(Duration.ofMinutes(60)).plusSeconds(1));
      restarted = TestNodes.start(database, clock, smtpHocon(),
          "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"");
      awaitMail("booking_reminder", 2);
      VideoShopNode node = restarted;
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> mails("booking_reminder").size() == 2);
      long sent = node.platform().jdbi.withHandle(handle -> handle.createQuery(
              "SELECT count(*) FROM outbox WHERE topic = 'booking_reminder' AND status = 'delivered' AND tenant_id = :t")
          .bind("t", tenant.id()).mapTo(Long.class).one());
      assertThat(sent).isEqualTo(2);
    } finally {
      if (restarted != null) restarted.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      else platform.node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static Map<String, Object> withReminders(Map<String, Object> policy, List<Integer> reminders) {
    Map<String, Object> changed = new LinkedHashMap<>(policy);
    changed.put("reminderMinutes", reminders);
    return changed;
  }

  private static ApiClient.Reply public_(ApiClient api, String key, String path, Map<String, Object> body) {
    return api.call("POST", path).header("X-Widget-Key", key).header("Origin", ORIGIN).body(body).send();
  }

  private static List<Instant> pendingReminders(TestPlatform platform, String tenantId) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery("""
            SELECT due_at FROM outbox WHERE topic = 'booking_reminder' AND status = 'pending' AND tenant_id = :t
            ORDER BY due_at""").bind("t", tenantId).mapTo(Instant.class).list());
  }

  private static long plainAddressInOutbox(TestPlatform platform) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT count(*) FROM outbox WHERE payload LIKE :a OR payload LIKE '%Sam Shopper%' OR payload LIKE '%VCALENDAR%'")
        .bind("a", "%" + SHOPPER + "%").mapTo(Long.class).one());
  }

  private List<MimeMessage> mails(String template) throws Exception {
    List<MimeMessage> found = new ArrayList<>();
    for (MimeMessage message : smtp.getReceivedMessages()) {
      if (message.getAllRecipients()[0].toString().equals(SHOPPER)
          && template.equals(message.getHeader("X-VideoShop-Template", null))) {
        found.add(message);
      }
    }
    return found;
  }

  private TestPlatform current;

  private List<MimeMessage> awaitMail(String template, int count) {
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> mails(template).size() >= count);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      if (current != null) {
        throw new AssertionError("no " + template + "; outbox: " + current.node.platform().jdbi.withHandle(handle ->
            handle.createQuery("SELECT topic || ' ' || status || ' ' || attempts || ' ' || coalesce(last_error, '') FROM outbox")
                .mapTo(String.class).list()) + "; bookings: " + current.node.platform().jdbi.withHandle(handle ->
            handle.createQuery("SELECT count(*) FROM bookings").mapTo(Long.class).one()), e);
      }
      throw e;
    }
    try {
      List<MimeMessage> found = mails(template);
      assertThat(found).as("exactly %d %s", count, template).hasSize(count);
      return found;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The calendar part's properties (lines unfolded, CRLF line ends checked), name to value. */
  private static Map<String, String> ics(MimeMessage message) throws Exception {
    String raw = part(message, "text/calendar");
    assertThat(raw).as("an invitation attached").startsWith("BEGIN:VCALENDAR\r\n").endsWith("END:VCALENDAR\r\n");
    Map<String, String> properties = new LinkedHashMap<>();
    for (String line : raw.replace("\r\n ", "").split("\r\n")) {
      int colon = line.indexOf(':');
      int semicolon = line.indexOf(';');
      String name = line.substring(0, semicolon >= 0 && semicolon < colon ? semicolon : colon);
      if (name.equals("BEGIN") || name.equals("END")) continue;
      properties.put(name, name.equals("ATTENDEE") || name.equals("ORGANIZER") ? line : line.substring(colon + 1));
    }
    return properties;
  }

  static String part(Part part, String type) throws Exception {
    if (part.isMimeType(type)) {
      try (InputStream in = part.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    if (part.isMimeType("multipart/*")) {
      Multipart multipart = (Multipart) part.getContent();
      for (int i = 0; i < multipart.getCount(); i++) {
        String found = part(multipart.getBodyPart(i), type);
        if (!found.isEmpty()) return found;
      }
    }
    return "";
  }
}
