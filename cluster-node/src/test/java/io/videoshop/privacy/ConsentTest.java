package io.videoshop.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestCalls;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Consent on PostgreSQL: a booking and a join record what the shopper agreed to (encrypted, with
 * the policy version), the footer of the booking's mail carries a signed link that withdraws it,
 * the widget withdraws over its socket, and a withdrawn summary consent means no summary mail
 * after the call (while a shopper who kept it gets one).
 */
class ConsentTest {
  private static final String ORIGIN = "https://shop.test";
  private static final Pattern LINK = Pattern.compile("/privacy/consent#token=([A-Za-z0-9._-]+)");

  @Test
  void consentIsRecordedExportedAndWithdrawingItStopsWhatItCovered() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres())) {
      TestPlatform.TestTenant tenant = platform.tenant("consent");
      String key = TestCalls.widgetKey(platform.api, tenant, ORIGIN);

      // A booking agrees to the call, its mails and marketing, under a named policy.
      for (String agent : List.of(tenant.agentId(), tenant.adminId(), tenant.ownerId())) {
        platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + agent + "/working-hours")
            .bearer(tenant.adminToken()).body(Map.of("takesBookings", true, "daysOff", List.of())).send();
      }
      JsonNode slots = platform.api.call("GET", "/api/v1/widget/slots?from=" + java.time.LocalDate.now().plusDays(2)
          + "&days=14").header("X-Widget-Key", key).header("Origin", ORIGIN).send().json().get("slots");
      Map<String, Object> booking = new HashMap<>(Map.of("start", slots.get(0).get("start").asText(), "name", "Bea Booker",
          "email", "bea@shopper.test", "consent", true, "policyVersion", "policy-2026-03",
          "purposes", List.of("marketing")));
      booking.put("purposes", List.of("nonsense"));
      assertThat(platform.api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", key)
          .header("Origin", ORIGIN).body(booking).send().body()).contains("invalid_purpose");
      booking.put("purposes", List.of("marketing"));
      ApiClient.Reply booked = platform.api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", key)
          .header("Origin", ORIGIN).body(booking).send();
      assertThat(booked.status()).as("%s", booked).isEqualTo(201);
      assertThat(booked.json().get("consentToken").asText()).isNotBlank();

      // The confirmation mail's footer links to the withdrawal page with a signed token.
      String[] mailed = new String[1];
      await().atMost(Duration.ofSeconds(30)).until(() -> platform.mail.mails().stream()
          .filter(mail -> mail.getToRecipients().stream().anyMatch(to -> to.getAddress().equals("bea@shopper.test")))
          .map(mail -> LINK.matcher(mail.getPlainText())).filter(Matcher::find)
          .peek(found -> mailed[0] = found.group(1)).findFirst().isPresent());
      assertThat(platform.api.call("GET", "/privacy/consent").send().body()).contains("Withdraw your consent");
      assertThat(platform.api.call("POST", "/api/v1/privacy/consent/withdraw")
          .body(Map.of("token", mailed[0] + "x")).send().code()).isEqualTo("invalid_consent_link");
      assertThat(platform.api.call("POST", "/api/v1/privacy/consent/withdraw")
          .body(Map.of("token", tenant.adminToken())).send().code()).as("another token").isEqualTo("invalid_consent_link");
      assertThat(platform.api.call("POST", "/api/v1/privacy/consent/withdraw")
          .body(Map.of("token", mailed[0], "purposes", List.of("call"))).send().status()).isEqualTo(422);
      ApiClient.Reply withdrawn = platform.api.call("POST", "/api/v1/privacy/consent/withdraw")
          .body(Map.of("token", mailed[0], "purposes", List.of("marketing"))).send();
      assertThat(withdrawn.status()).as("%s", withdrawn).isEqualTo(200);
      assertThat(withdrawn.json().get("withdrawn").has("marketing")).isTrue();
      assertThat(withdrawn.json().get("purposes").toString()).contains("call-summary-mail");

      // The export shows what was agreed to, under which policy, and what was taken back.
      JsonNode consents = new ObjectMapper().readTree(export(platform, tenant, booked.json().get("bookingId").asText())
          .get("consents.json"));
      assertThat(consents).hasSize(1);
      assertThat(consents.get(0).get("policyVersion").asText()).isEqualTo("policy-2026-03");
      assertThat(consents.get(0).get("purposes").asText()).isEqualTo("call, call-summary-mail, marketing");
      assertThat(consents.get(0).get("withdrawn").asText()).startsWith("marketing at ");
      // Stored encrypted: the policy version is in no column in plain text.
      assertThat(DataScan.plainTraces(io.videoshop.persistence.SharedDatabase.get(platform.node.system()).dataSource(),
          List.of("policy-2026-03"))).isEmpty();

      // Two shoppers consent to the summary mail; one withdraws it in the widget before the call.
      String kept = callWithConsent(platform, key, tenant, "Kai Kept", "kai@shopper.test", false);
      String taken = callWithConsent(platform, key, tenant, "Tia Taken", "tia@shopper.test", true);
      await().atMost(Duration.ofSeconds(60)).until(() -> count(platform,
          "SELECT COUNT(*) FROM outbox WHERE topic = 'call_summary' AND subject_id = '" + subjectOf(platform, kept) + "'") == 1);
      await().atMost(Duration.ofSeconds(60)).until(() -> count(platform,
          "SELECT COUNT(*) FROM call_summaries WHERE ended_at IS NOT NULL AND ticket_id = '" + taken + "'") == 1);
      // The row is completed in the same transaction that decides the mail: the decision is made.
      assertThat(count(platform, "SELECT COUNT(*) FROM outbox WHERE topic = 'call_summary' AND subject_id = '"
          + subjectOf(platform, taken) + "'")).as("no summary after its consent was withdrawn").isZero();
      JsonNode audit = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/audit?action=consent.withdrawn")
          .bearer(tenant.adminToken()).send().json().get("items");
      assertThat(audit).hasSize(2);
      assertThat(audit.toString()).doesNotContain("Tia", "tia@", "Bea", "bea@");

      // The public withdrawal is limited per client address (burst 10): a run of guessed tokens is refused.
      int refusedAt = -1;
      for (int i = 0; i < 13 && refusedAt < 0; i++) {
        ApiClient.Reply guess = platform.api.call("POST", "/api/v1/privacy/consent/withdraw")
            .body(Map.of("token", "guess-" + i)).send();
        if (guess.status() == 429) {
          refusedAt = i;
          assertThat(guess.code()).isEqualTo("rate_limited");
          assertThat(guess.headers().firstValue("Retry-After")).isPresent();
        } else {
          assertThat(guess.code()).isEqualTo("invalid_consent_link");
        }
      }
      assertThat(refusedAt).as("refused once the burst is used up").isBetween(6, 11);
    }
  }

  /** A shopper joins with the summary consent, maybe withdraws it in the widget, and has a call that ends. */
  private static String callWithConsent(TestPlatform platform, String key, TestPlatform.TestTenant tenant, String name,
      String email, boolean withdraw) throws Exception {
    int port = platform.node.httpPort();
    String ticketId;
    String roomId;
    String agentRoom;
    String shopperRoom;
    try (SocketClient widget = SocketClient.widget(port, key, ORIGIN);
        SocketClient console = SocketClient.agent(port, tenant.agentToken())) {
      widget.send(Map.of("type", "join", "name", name, "email", email, "consent", true, "policyVersion", "p-1"));
      JsonNode queued = widget.next("queued");
      ticketId = queued.get("ticketId").asText();
      if (withdraw) {
        widget.send(Map.of("type", "withdraw-consent", "consentToken", "not a token"));
        assertThat(widget.next("error").get("code").asText()).isEqualTo("invalid_consent_link");
        widget.send(Map.of("type", "withdraw-consent", "consentToken", queued.get("consentToken").asText(),
            "purposes", List.of("call-summary-mail")));
        assertThat(widget.next("consent-withdrawn").get("withdrawn").toString()).contains("call-summary-mail");
      }
      console.send(Map.of("type", "presence", "presence", "available"));
      JsonNode offer = console.next("reservation");
      console.send(Map.of("type", "accept", "reservationId", offer.get("reservationId").asText()));
      JsonNode assigned = console.next("assigned");
      roomId = assigned.get("roomId").asText();
      agentRoom = assigned.get("roomToken").asText();
      shopperRoom = widget.next("assigned").get("roomToken").asText();
      console.send(Map.of("type", "presence", "presence", "away"));
    }
    try (SocketClient agent = SocketClient.room(port, agentRoom); SocketClient shopper = SocketClient.room(port, shopperRoom)) {
      agent.next("call-started");
      shopper.next("call-started");
      agent.send(Map.of("type", "hang-up"));
      shopper.next("call-ended");
    }
    assertThat(roomId).isNotBlank();
    return ticketId;
  }

  private static String subjectOf(TestPlatform platform, String ticketId) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT subject_id FROM call_summaries WHERE ticket_id = :t").bind("t", ticketId).mapTo(String.class)
        .findOne().orElse("(none)"));
  }

  private static long count(TestPlatform platform, String sql) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(sql).mapTo(Long.class).one());
  }

  private static Map<String, String> export(TestPlatform platform, TestPlatform.TestTenant tenant, String bookingId)
      throws Exception {
    java.net.http.HttpResponse<byte[]> reply = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + platform.node.httpPort()
                + "/api/v1/tenants/" + tenant.id() + "/privacy/exports"))
            .header("Authorization", "Bearer " + tenant.adminToken()).header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"bookingId\":\"" + bookingId + "\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(reply.statusCode()).as(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    Map<String, String> files = new HashMap<>();
    try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(reply.body()))) {
      for (java.util.zip.ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        files.put(entry.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return files;
  }
}
