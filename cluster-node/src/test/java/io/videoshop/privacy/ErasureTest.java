package io.videoshop.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.videoshop.node.ApiClient;
import io.videoshop.node.SocketClient;
import io.videoshop.node.TestCalls;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.SharedDatabase;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A shopper who queues, calls, gets the call summary mail, books and queues again is erased by
 * email; then every column of every table, and every personal field of the journal and snapshots
 * decrypted, is scanned for their name, email, phone and address: nothing is found. Before the
 * erasure the same scan finds them (so the scan can fail). On the way their booking and both
 * tickets are corrected (the ended one and the waiting one): every read shows the corrected
 * values, and the erasure by the old email still finds them all. On PostgreSQL, over the real sockets.
 */
class ErasureTest {
  private static final String ORIGIN = "https://shop.test";
  private static final String NAME = "Erasmina Quendolyn";
  private static final String EMAIL = "erasmina.quendolyn@shopper.test";
  private static final String PHONE = "+49 151 99887766";
  private static final String CORRECTED_NAME = "Erasmina Quendolyn-Berg";
  private static final String CORRECTED_PHONE = "+49 151 99887767";
  private static final String NOTES = "Quendolyn prefers blue";
  private static final String TICKET_NAME = "Erasmina Quendolyn-Vale";
  private static final String TICKET_EMAIL = "e.quendolyn-vale@shopper.test";
  private static final String TICKET_PHONE = "+49 151 99887768";
  private static final String WAITING_NAME = "Erasmina Q. Waiting";
  private static final String ADDRESS = "203.0.113.77";
  private static final List<String> TRACES = List.of("Erasmina", "Quendolyn", "erasmina.quendolyn", "99887766",
      "99887767", "99887768", ADDRESS);
  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

  @Test
  void anErasedShopperIsInNoTableAndNoDecryptedPayload() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(),
        "videoshop.http.trusted-proxies = \"127.0.0.1/32\"")) {
      TestPlatform.TestTenant tenant = platform.tenant("erase");
      TestPlatform.TestTenant other = platform.tenant("erase-other");
      int port = platform.node.httpPort();
      String key = TestCalls.widgetKey(platform.api, tenant, ORIGIN);
      Map<String, Object> join = new HashMap<>(Map.of("type", "join", "name", NAME, "email", EMAIL, "phone", PHONE,
          "notes", NOTES, "consent", true, "productInterest", "trail shoes"));

      // A call with a product shown, and the summary mail it sends.
      TestCalls.Assigned call = TestCalls.assign(port, key, ORIGIN, tenant.agentToken(), join);
      try (SocketClient agent = SocketClient.room(port, call.agentRoomToken());
          SocketClient shopper = SocketClient.room(port, call.shopperRoomToken())) {
        agent.next("call-started");
        shopper.next("call-started");
        agent.send(Map.of("type", "product", "sku", "TRAIL-38", "title", "Trail runner", "price", "10.00 EUR",
            "productUrl", "https://shop.test/p/38"));
        shopper.next("product");
        agent.send(Map.of("type", "hang-up"));
        shopper.next("call-ended");
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> platform.mail.mails().stream()
          .anyMatch(mail -> mail.getToRecipients().stream().anyMatch(r -> r.getAddress().equalsIgnoreCase(EMAIL))));

      // A booking with the same email, from behind the proxy.
      for (String agent : List.of(tenant.agentId(), tenant.adminId(), tenant.ownerId())) {
        assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + agent + "/working-hours")
            .bearer(tenant.adminToken()).body(Map.of("takesBookings", true, "daysOff", List.of())).send().status())
            .isEqualTo(200);
      }
      JsonNode slots = platform.api.call("GET", "/api/v1/widget/slots?from=" + java.time.LocalDate.now().plusDays(2)
          + "&days=14").header("X-Widget-Key", key).header("Origin", ORIGIN).send().json().get("slots");
      assertThat(slots).as("bookable slots").isNotEmpty();
      ApiClient.Reply booked = platform.api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", key)
          .header("Origin", ORIGIN).header("X-Forwarded-For", ADDRESS)
          .body(Map.of("start", slots.get(0).get("start").asText(), "name", NAME, "email", EMAIL.toUpperCase(Locale.ROOT),
              "phone", PHONE, "notes", NOTES, "timeZone", "Europe/Berlin", "consent", true,
              "productInterest", "hiking boots"))
          .send();
      assertThat(booked.status()).as("%s", booked).isEqualTo(201);

      // Another shopper of another tenant with the same name stays untouched.
      String otherKey = TestCalls.widgetKey(platform.api, other, ORIGIN);
      try (SocketClient bystander = SocketClient.widget(port, otherKey, ORIGIN)) {
        bystander.send(Map.of("type", "join", "name", "Ottilie Bystander", "email", "bystander@shopper.test"));
        bystander.next("queued");
      }

      // And the shopper queues again and waits, when the erasure comes.
      try (SocketClient waiting = SocketClient.widget(port, key, ORIGIN, ADDRESS);
          SocketClient console = SocketClient.agent(port, tenant.adminToken())) {
        waiting.send(join);
        String waitingTicket = waiting.next("queued").get("ticketId").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> count(platform, "SELECT COUNT(*) FROM bookings") == 1
            && count(platform, "SELECT COUNT(*) FROM call_summaries WHERE ended_at IS NOT NULL") == 1);

        DataSource dataSource = SharedDatabase.get(platform.node.system()).dataSource();
        PersonalDataVault vault = SharedDatabase.get(platform.node.system()).personalDataVault();
        assertThat(decryptedTraces(dataSource, vault)).as("before: the scan finds the shopper").isNotEmpty();

        // Correction: a new encrypted event; the bookings list and the export show the corrected values.
        String bookingId = booked.json().get("bookingId").asText();
        ApiClient.Reply corrected = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/privacy/bookings/"
                + bookingId + "/details").bearer(tenant.adminToken())
            .body(Map.of("name", CORRECTED_NAME, "phone", CORRECTED_PHONE)).send();
        assertThat(corrected.status()).as("%s", corrected).isEqualTo(200);
        assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/privacy/bookings/" + bookingId
            + "/details").bearer(tenant.adminToken()).body(Map.of("email", "not an email")).send().status()).isEqualTo(422);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(platform.api.call("GET",
                "/api/v1/tenants/" + tenant.id() + "/bookings?from=" + slots.get(0).get("start").asText() + "&to="
                    + java.time.Instant.parse(slots.get(0).get("start").asText()).plusSeconds(60))
            .bearer(tenant.adminToken()).send().json().get("items").get(0).get("name").asText()).isEqualTo(CORRECTED_NAME));

        // A ticket's correction, while it waits: the agents' queue view shows the new name.
        console.next(m -> "queue".equals(m.path("type").asText()) && nameIn(m, waitingTicket).equals(NAME),
            "the waiting shopper's name");
        assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/privacy/tickets/" + waitingTicket
            + "/details").bearer(tenant.adminToken()).body(Map.of("name", WAITING_NAME)).send().status()).isEqualTo(200);
        console.next(m -> "queue".equals(m.path("type").asText()) && nameIn(m, waitingTicket).equals(WAITING_NAME),
            "the corrected name");

        // And after it ended (its call over, its summary mailed): bad input and another tenant change nothing.
        String endedTicket = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT ticket_id FROM calls WHERE room_id = :room").bind("room", call.roomId()).mapTo(String.class).one());
        String ticketPath = "/privacy/tickets/" + endedTicket + "/details";
        ApiClient.Reply badEmail = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + ticketPath)
            .bearer(tenant.adminToken()).body(Map.of("name", TICKET_NAME, "email", "not an email")).send();
        assertThat(badEmail.status()).as("%s", badEmail).isEqualTo(422);
        assertThat(badEmail.json().at("/errors/0/code").asText()).isEqualTo("invalid_email");
        assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + ticketPath).bearer(tenant.adminToken())
            .body(Map.of()).send().status()).as("nothing to correct").isEqualTo(422);
        ApiClient.Reply elsewhere = platform.api.call("PUT", "/api/v1/tenants/" + other.id() + ticketPath)
            .bearer(other.adminToken()).body(Map.of("name", TICKET_NAME)).send();
        assertThat(elsewhere.status()).as("%s", elsewhere).isEqualTo(404);
        assertThat(elsewhere.json().get("code").asText()).isEqualTo("ticket_not_found");
        assertThat(platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + ticketPath).bearer(tenant.agentToken())
            .body(Map.of("name", TICKET_NAME)).send().status()).as("agents may not correct").isEqualTo(403);
        ApiClient.Reply fixed = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + ticketPath)
            .bearer(tenant.adminToken()).body(Map.of("name", TICKET_NAME, "email", TICKET_EMAIL, "phone", TICKET_PHONE))
            .send();
        assertThat(fixed.status()).as("%s", fixed).isEqualTo(200);
        assertThat(fixed.json().get("ticketId").asText()).isEqualTo(endedTicket);
        JsonNode correctedAudit = platform.api.call("GET", "/api/v1/tenants/" + tenant.id()
            + "/audit?action=shopper.corrected").bearer(tenant.adminToken()).send().json().get("items");
        assertThat(correctedAudit).hasSize(3);
        assertThat(correctedAudit.toString()).contains("\"ticket\"", "email", "phone")
            .doesNotContain("Quendolyn", "99887768", "Erasmina");
        // The call summary's address follows the correction (a summary not sent yet goes there).
        await().atMost(Duration.ofSeconds(60)).until(() -> vault.decrypt(new EncryptedPersonalData(
            platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
                "SELECT subject_id FROM call_summaries WHERE ticket_id = :t").bind("t", endedTicket)
                .mapTo(String.class).one()),
            platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
                "SELECT email_ciphertext FROM call_summaries WHERE ticket_id = :t").bind("t", endedTicket)
                .mapTo(String.class).one()))).value().equals(TICKET_EMAIL));
        // The erasure's search by the corrected email finds the ticket (and its call), with the corrected values.
        Map<String, String> byCorrected = export(platform, tenant, Map.of("email", TICKET_EMAIL));
        JsonNode correctedTickets = new ObjectMapper().readTree(byCorrected.get("tickets.json"));
        assertThat(correctedTickets).hasSize(1);
        assertThat(correctedTickets.get(0).get("ticketId").asText()).isEqualTo(endedTicket);
        assertThat(List.of(correctedTickets.get(0).get("name").asText(), correctedTickets.get(0).get("email").asText(),
            correctedTickets.get(0).get("phone").asText())).containsExactly(TICKET_NAME, TICKET_EMAIL, TICKET_PHONE);
        assertThat(correctedTickets.get(0).get("notes").asText()).as("kept").isEqualTo(NOTES);
        assertThat(new ObjectMapper().readTree(byCorrected.get("calls.json"))).hasSize(1);
        // No plain text of the corrected values anywhere, nor of the old or new ones in the journal and snapshots.
        assertThat(DataScan.plainTraces(dataSource, List.of(TICKET_NAME, TICKET_EMAIL, "99887768", WAITING_NAME))).isEmpty();
        assertThat(DataScan.plainTraces(dataSource, List.of(NAME, EMAIL, "99887766", TICKET_NAME, TICKET_EMAIL, "99887768",
            WAITING_NAME)).stream().filter(trace -> trace.startsWith("event_journal") || trace.startsWith("snapshot")))
            .isEmpty();

        // Access and portability first: the bundle holds what the shopper gave and what happened.
        Map<String, String> bundle = export(platform, tenant, Map.of("roomId", call.roomId()));
        assertThat(bundle).containsKeys("manifest.json", "tickets.json", "tickets.csv", "bookings.json", "calls.json",
            "calls.csv", "devices.json", "feedback.json", "consents.json", "messages.json", "audit.json");
        JsonNode manifest = new ObjectMapper().readTree(bundle.get("manifest.json"));
        assertThat(manifest.get("format").asText()).isEqualTo("videoshop-shopper-export/1");
        assertThat(manifest.get("region").asText()).isEqualTo("unspecified");
        JsonNode tickets = new ObjectMapper().readTree(bundle.get("tickets.json"));
        assertThat(tickets).as("the ended ticket's old email still finds the waiting one").hasSize(2);
        assertThat(tickets.get(0).get("name").asText()).isEqualTo(TICKET_NAME);
        assertThat(tickets.get(0).get("email").asText()).isEqualTo(TICKET_EMAIL);
        assertThat(tickets.get(1).get("name").asText()).isEqualTo(WAITING_NAME);
        assertThat(tickets.get(1).get("email").asText()).isEqualTo(EMAIL);
        assertThat(bundle.get("tickets.csv")).startsWith("\"ticketId\",\"joinedAt\",\"name\"").contains(NOTES);
        JsonNode exportedBooking = new ObjectMapper().readTree(bundle.get("bookings.json")).get(0);
        assertThat(exportedBooking.get("phone").asText()).as("corrected").isEqualTo(CORRECTED_PHONE);
        assertThat(exportedBooking.get("name").asText()).isEqualTo(CORRECTED_NAME);
        assertThat(exportedBooking.get("email").asText()).as("kept").isEqualToIgnoringCase(EMAIL);
        assertThat(new ObjectMapper().readTree(bundle.get("calls.json"))).hasSize(1);
        assertThat(new ObjectMapper().readTree(bundle.get("devices.json")).toString()).contains("127.0.0.1");
        assertThat(new ObjectMapper().readTree(bundle.get("messages.json")).toString()).contains("call_summary");
        assertThat(bundle.get("tickets.json")).doesNotContain("Bystander");

        ApiClient.Reply refused = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/privacy/erasures")
            .bearer(tenant.agentToken()).body(Map.of("email", EMAIL)).send();
        assertThat(refused.status()).as("agents may not erase").isEqualTo(403);
        ApiClient.Reply none = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/privacy/erasures")
            .bearer(tenant.adminToken()).body(Map.of("email", EMAIL, "phone", PHONE)).send();
        assertThat(none.status()).isEqualTo(422);

        ApiClient.Reply asked = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/privacy/erasures")
            .bearer(tenant.adminToken()).body(Map.of("email", " Erasmina.Quendolyn@shopper.test ")).send();
        assertThat(asked.status()).as("%s", asked).isEqualTo(202);
        String requestId = asked.json().get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> "done".equals(status(platform, tenant, requestId)));
        JsonNode request = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/privacy/requests/" + requestId)
            .bearer(tenant.adminToken()).send().json();
        assertThat(request.at("/result/subjects").asInt()).as("two joins and a booking: %s", request).isEqualTo(3);
        assertThat(request.at("/result/stores/queue").asInt()).as("left the live queue: %s", request).isEqualTo(1);
        assertThat(request.at("/result/stores/booking_calendar").asInt()).as("future booking cancelled").isEqualTo(1);
        assertThat(request.at("/result/stores/personal_data_keys").asInt()).isEqualTo(3);

        // Idempotent: the same reference answers the same request.
        ApiClient.Reply again = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/privacy/erasures")
            .bearer(tenant.adminToken()).body(Map.of("email", EMAIL)).send();
        assertThat(again.json().get("id").asText()).isEqualTo(requestId);

        // Projections catch up with the cancellation and the leave before the scan.
        await().atMost(Duration.ofSeconds(60)).until(() ->
            count(platform, "SELECT COUNT(*) FROM bookings WHERE status = 'cancelled'") == 1);
        assertThat(plainTraces(dataSource)).as("rows holding the shopper in plain text").isEmpty();
        assertThat(decryptedTraces(dataSource, vault)).as("decrypted journal and snapshot fields").isEmpty();
        assertThat(decryptedTraces(dataSource, vault, "Bystander")).as("the other tenant's shopper is kept").isNotEmpty();

        // Reports keep their counts; the erasure is audited without personal data.
        assertThat(count(platform, "SELECT COUNT(*) FROM calls WHERE tenant_id = '" + tenant.id() + "'")).isEqualTo(1);
        JsonNode audit = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/audit?action=subject.erased")
            .bearer(tenant.adminToken()).send().json().get("items");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).toString()).doesNotContain("Erasmina", "Quendolyn", "99887766");
        // An erased shopper cannot be corrected.
        ApiClient.Reply afterErasure = platform.api.call("PUT", "/api/v1/tenants/" + tenant.id() + ticketPath)
            .bearer(tenant.adminToken()).body(Map.of("phone", "")).send();
        assertThat(afterErasure.status()).as("%s", afterErasure).isEqualTo(409);
        assertThat(afterErasure.json().get("code").asText()).isEqualTo("subject_erased");
        // An export after the erasure finds nothing of them (the journals show only erased values).
        assertThat(new ObjectMapper().readTree(export(platform, tenant, Map.of("email", EMAIL)).get("tickets.json")))
            .isEmpty();
      }
    }
  }

  /** A waiting ticket's name in a console's queue view ("" when not shown). */
  private static String nameIn(JsonNode queue, String ticketId) {
    for (JsonNode ticket : queue.path("tickets")) {
      if (ticket.path("ticketId").asText().equals(ticketId)) return ticket.path("name").asText("");
    }
    return "";
  }

  /** The export's files, by name. */
  private static Map<String, String> export(TestPlatform platform, TestPlatform.TestTenant tenant,
      Map<String, Object> reference) throws Exception {
    java.net.http.HttpResponse<byte[]> reply = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + platform.node.httpPort()
                + "/api/v1/tenants/" + tenant.id() + "/privacy/exports"))
            .header("Authorization", "Bearer " + tenant.adminToken()).header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(reference)))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(reply.statusCode()).as(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/zip");
    Map<String, String> files = new HashMap<>();
    try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(reply.body()))) {
      for (java.util.zip.ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        files.put(entry.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  private static String status(TestPlatform platform, TestPlatform.TestTenant tenant, String id) {
    return platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/privacy/requests/" + id)
        .bearer(tenant.adminToken()).send().json().get("status").asText();
  }

  private static long count(TestPlatform platform, String sql) {
    return platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(sql).mapTo(Long.class).one());
  }

  private static List<String> plainTraces(DataSource dataSource) throws Exception {
    return DataScan.plainTraces(dataSource, TRACES);
  }

  private static List<String> decryptedTraces(DataSource dataSource, PersonalDataVault vault) throws Exception {
    return decryptedTraces(dataSource, vault, TRACES.toArray(String[]::new));
  }

  /** Every encrypted personal field in the journal and the snapshots, decrypted, where a trace occurs. */
  private static List<String> decryptedTraces(DataSource dataSource, PersonalDataVault vault, String... traces)
      throws Exception {
    List<String> found = new ArrayList<>();
    int fields = 0;
    try (Connection connection = dataSource.getConnection()) {
      for (String query : List.of("SELECT persistence_id, event_payload FROM event_journal",
          "SELECT persistence_id, snapshot_payload FROM snapshot")) {
        try (ResultSet rows = connection.createStatement().executeQuery(query)) {
          while (rows.next()) {
            JsonNode tree;
            try {
              tree = CBOR.readTree(rows.getBytes(2));
            } catch (Exception notCbor) {
              continue;
            }
            List<EncryptedPersonalData> sealed = new ArrayList<>();
            collect(tree, sealed);
            for (EncryptedPersonalData value : sealed) {
              fields++;
              DecryptedPersonalData plain = vault.decrypt(value);
              for (String trace : traces) {
                if (!plain.erased() && plain.value().toLowerCase(Locale.ROOT).contains(trace.toLowerCase(Locale.ROOT))) {
                  found.add(rows.getString(1) + ": " + trace);
                }
              }
            }
          }
        }
      }
    }
    assertThat(fields).as("the journal holds encrypted personal fields").isPositive();
    return found;
  }

  private static void collect(JsonNode node, List<EncryptedPersonalData> sealed) {
    if (node.isObject() && node.has("subjectId") && node.has("ciphertext") && node.get("ciphertext").isTextual()) {
      sealed.add(new EncryptedPersonalData(node.get("subjectId").asText(), node.get("ciphertext").asText()));
    }
    node.elements().forEachRemaining(child -> collect(child, sealed));
  }
}
