package io.videoshop.reporting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.queue.Presence;
import io.videoshop.queue.Reservation;
import io.videoshop.queue.TenantQueue;
import io.videoshop.queue.Ticket;
import io.videoshop.queue.TicketDetails;
import io.videoshop.room.CallRoom;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.scheduling.BookingDetails;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The reports end to end on PostgreSQL: fixed sequences of the queue's and the rooms' own events
 * in the journal, read by the node's real projections, answered by the HTTP API. Tenant A is in
 * Europe/Berlin and its day is 2026-10-25, the autumn DST day (25 hours), with events exactly at
 * its local midnights.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportingTest {
  private static final Duration PROJECTED = Duration.ofSeconds(90);
  private static final String JWT = "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"";

  private TestPlatform platform;
  private ApiClient api;
  private JournalWriter.Writers journal;
  private TestPlatform.TestTenant a;
  private TestPlatform.TestTenant b;
  private TestPlatform.TestTenant c;
  private TestPlatform.TestTenant d;
  private VideoShopNode rebuilt;
  private int generatedCalls;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    api = platform.api;
    journal = new JournalWriter.Writers(platform.node.system());
    a = platform.tenant("report-a");
    b = platform.tenant("report-b");
    c = platform.tenant("report-c");
    d = platform.tenant("report-d");
  }

  @AfterAll
  void stop() throws Exception {
    if (rebuilt != null) rebuilt.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    platform.close();
  }

  // --- tenant A: the fixed day -------------------------------------------------------------------

  private static Instant at(String utc) {
    return Instant.parse(utc);
  }

  private void queue(String tenantId, TenantQueue.Event... events) {
    journal.write(TenantQueue.ENTITY_KEY.name(), tenantId, TenantQueue.tagFor(tenantId), List.of(events));
  }

  private void room(String roomId, CallRoom.Event... events) {
    journal.write(CallRoom.ENTITY_KEY.name(), roomId, CallRoom.tagFor(roomId), List.of(events));
  }

  private static TenantQueue.TicketJoined joined(String ticketId, String language, Instant at) {
    TicketDetails details = new TicketDetails("shopper-" + ticketId, new EncryptedPersonalData("shopper-" + ticketId,
        "ciphertext-of-name"), null, null, null, language, Set.of(), null, null, false);
    return new TenantQueue.TicketJoined(new Ticket(ticketId, details, "hash", at, null));
  }

  private static TenantQueue.ReservationOffered offered(String id, String ticketId, String agentId, Instant at) {
    return new TenantQueue.ReservationOffered(new Reservation(id, ticketId, agentId, at, at.plusSeconds(20)));
  }

  private static TenantQueue.AgentPresenceChanged presence(String agentId, Presence presence, Instant at) {
    return new TenantQueue.AgentPresenceChanged(agentId, presence, Set.of("de", "en"), Set.of(), at);
  }

  private static CallRoom.RoomOpened opened(String roomId, String tenantId, String ticketId, String agentId,
      Instant at) {
    return new CallRoom.RoomOpened(roomId, tenantId, ticketId, agentId, "shopper-" + ticketId, 60, 30, at);
  }

  private static CallRoom.ProductShown product(String sku, Instant at) {
    return new CallRoom.ProductShown(new CallRoom.Product(sku, "Shoe " + sku, null, "89.00", null), at);
  }

  private void writeTenantA() {
    String a1 = a.agentId();
    String a2 = "agent-2";
    String r1 = "room-a-1-" + a.id();
    String r2 = "room-a-2-" + a.id();
    queue(a.id(),
        presence(a2, Presence.AVAILABLE, at("2026-10-24T21:00:00Z")),
        // 23:59:59 on the 24th in Berlin: its day is the 24th
        joined("t2", "en", at("2026-10-24T21:59:59Z")),
        // exactly midnight of the 25th in Berlin (+02:00): the 25th
        presence(a1, Presence.AVAILABLE, at("2026-10-24T22:00:00Z")),
        joined("t1", "de", at("2026-10-24T22:00:00Z")),
        offered("r2", "t2", a2, at("2026-10-24T22:00:05Z")),
        offered("r1", "t1", a1, at("2026-10-24T22:00:10Z")),
        new TenantQueue.ReservationReleased("r2", "t2", a2, TenantQueue.ReleaseReason.EXPIRED, at("2026-10-24T22:00:25Z")),
        presence(a2, Presence.AWAY, at("2026-10-24T22:00:25Z")),
        new TenantQueue.ReservationAccepted("r1", "t1", a1, r1, at("2026-10-24T22:00:40Z")),
        new TenantQueue.TicketLeft("t2", at("2026-10-24T22:01:00Z")),
        new TenantQueue.CallFinished(a1, r1, Duration.ofMinutes(10), at("2026-10-24T22:10:40Z")),
        joined("t3", "de", at("2026-10-25T12:00:00Z")),
        new TenantQueue.TicketLeft("t3", at("2026-10-25T12:00:30Z")),
        joined("t4", "de", at("2026-10-25T13:00:00Z")),
        new TenantQueue.TicketDisconnected("t4", at("2026-10-25T13:00:10Z")),
        new TenantQueue.TicketAbandoned("t4", TenantQueue.AbandonReason.RECONNECT_GRACE_EXPIRED,
            at("2026-10-25T13:00:40Z")),
        joined("t5", "de", at("2026-10-25T14:00:00Z")),
        offered("r5a", "t5", a1, at("2026-10-25T14:00:30Z")),
        new TenantQueue.ReservationReleased("r5a", "t5", a1, TenantQueue.ReleaseReason.REJECTED,
            at("2026-10-25T14:00:35Z")),
        presence(a1, Presence.AWAY, at("2026-10-25T14:00:35Z")),
        presence(a2, Presence.AVAILABLE, at("2026-10-25T14:01:00Z")),
        offered("r5b", "t5", a2, at("2026-10-25T14:01:00Z")),
        new TenantQueue.ReservationAccepted("r5b", "t5", a2, r2, at("2026-10-25T14:02:30Z")),
        new TenantQueue.CallFinished(a2, r2, Duration.ofMinutes(10), at("2026-10-25T14:12:30Z")),
        // exactly midnight of the 26th in Berlin (+01:00 by now)
        presence(a1, Presence.OFFLINE, at("2026-10-25T23:00:00Z")));
    room(r1,
        opened(r1, a.id(), "t1", a1, at("2026-10-24T22:00:45Z")),
        new CallRoom.CallStarted(at("2026-10-24T22:01:00Z")),
        new CallRoom.MinuteStarted(a.id(), 0, at("2026-10-24T22:01:00Z")),
        product("sku-1", at("2026-10-24T22:01:30Z")),
        product("sku-2", at("2026-10-24T22:02:00Z")),
        new CallRoom.MinuteStarted(a.id(), 1, at("2026-10-24T22:02:00Z")),
        new CallRoom.AddedToCart("sku-1", at("2026-10-24T22:02:10Z")),
        new CallRoom.AddedToCart("sku-2", at("2026-10-24T22:02:20Z")),
        new CallRoom.CallEnded("hang-up", "agent", 300, at("2026-10-24T22:06:00Z")),
        new CallRoom.FeedbackGiven(5, null, at("2026-10-24T22:06:30Z")),
        new CallRoom.WrappedUp("sale", null, at("2026-10-24T22:07:00Z")));
    room(r2,
        opened(r2, a.id(), "t5", a2, at("2026-10-25T14:02:35Z")),
        new CallRoom.CallStarted(at("2026-10-25T14:03:00Z")),
        new CallRoom.MinuteStarted(a.id(), 0, at("2026-10-25T14:03:00Z")),
        product("sku-3", at("2026-10-25T14:03:30Z")),
        new CallRoom.CallEnded("hang-up", "shopper", 120, at("2026-10-25T14:05:00Z")),
        new CallRoom.FeedbackGiven(3, null, at("2026-10-25T14:05:30Z")),
        new CallRoom.WrappedUp("no-sale", null, at("2026-10-25T14:06:00Z")));
  }

  private JsonNode get(String token, String path) {
    ApiClient.Reply reply = api.call("GET", path).bearer(token).send();
    assertThat(reply.status()).as("%s -> %s", path, reply).isEqualTo(200);
    return reply.json();
  }

  private String summaryPath(TestPlatform.TestTenant tenant, String query) {
    return "/api/v1/tenants/" + tenant.id() + "/reports/summary?" + query;
  }

  @Test
  @Order(1)
  void theFormulasOnAFixedDstDayInBerlin() {
    writeTenantA();
    // Tenant B: one answered call on the same day, which A must never see.
    queue(b.id(), presence("agent-b", Presence.AVAILABLE, at("2026-10-25T08:00:00Z")),
        joined("tb", "de", at("2026-10-25T09:00:00Z")),
        new TenantQueue.ReservationAccepted("rb", "tb", "agent-b", "room-b-" + b.id(), at("2026-10-25T09:00:05Z")));
    room("room-b-" + b.id(), opened("room-b-" + b.id(), b.id(), "tb", "agent-b", at("2026-10-25T09:00:10Z")),
        new CallRoom.CallEnded("hang-up", "agent", 60, at("2026-10-25T09:01:10Z")));

    String path = summaryPath(a, "from=2026-10-24&to=2026-10-25");
    await().atMost(PROJECTED).untilAsserted(() -> {
      JsonNode total = get(a.ownerToken(), path).get("total");
      assertThat(total.at("/queue/queued").asLong()).isEqualTo(5);
      assertThat(total.at("/calls/ended").asLong()).isEqualTo(2);
      assertThat(total.at("/agents/awayMs").asLong()).isPositive();
      assertThat(total.at("/feedback/rated").asLong()).isEqualTo(2);
      assertThat(total.at("/commerce/callsWithAddToCart").asLong()).isEqualTo(1);
    });
    JsonNode summary = get(a.ownerToken(), path);
    assertThat(summary.get("timeZone").asText()).isEqualTo("Europe/Berlin");
    JsonNode day24 = summary.at("/buckets/0");
    JsonNode day25 = summary.at("/buckets/1");
    assertThat(day24.get("from").asText()).isEqualTo("2026-10-24");
    // t2 joined at 23:59:59 local and left after its offer expired: the 24th
    assertThat(day24.at("/figures/queue/queued").asLong()).isEqualTo(1);
    assertThat(day24.at("/figures/queue/abandonedBy/leftAfterExpiredReservation").asLong()).isEqualTo(1);
    assertThat(day24.at("/figures/queue/longestWaitMs").asLong()).isEqualTo(61_000);
    JsonNode q = day25.at("/figures/queue");
    assertThat(q.get("queued").asLong()).isEqualTo(4);
    assertThat(q.get("answered").asLong()).isEqualTo(2);
    assertThat(q.get("abandoned").asLong()).isEqualTo(2);
    assertThat(q.at("/abandonedBy/leftWhileWaiting").asLong()).isEqualTo(1);
    assertThat(q.at("/abandonedBy/disconnectedPastGrace").asLong()).isEqualTo(1);
    assertThat(q.at("/abandonedBy/timedOutAtMaximumWait").asLong()).isZero();
    assertThat(q.get("abandonmentRate").asDouble()).isEqualTo(0.5);
    assertThat(q.get("serviceLevelSeconds").asInt()).isEqualTo(60);
    assertThat(q.get("serviceLevel").asDouble()).isEqualTo(0.25); // t1 in 40 s; t5 in 150 s; two abandoned
    assertThat(q.get("averageSpeedOfAnswerMs").asLong()).isEqualTo(95_000);
    assertThat(q.get("waitP50Ms").asLong()).isEqualTo(40_000);
    assertThat(q.get("waitP90Ms").asLong()).isEqualTo(150_000);
    assertThat(q.get("longestWaitMs").asLong()).isEqualTo(150_000);
    JsonNode calls = day25.at("/figures/calls");
    assertThat(calls.get("calls").asLong()).isEqualTo(2);
    assertThat(calls.get("averageDurationMs").asLong()).isEqualTo(210_000);
    assertThat(calls.get("durationP90Ms").asLong()).isEqualTo(300_000);
    assertThat(calls.get("billedMinutes").asLong()).isEqualTo(3);
    assertThat(day25.at("/figures/feedback/averageRating").asDouble()).isEqualTo(4.0);
    assertThat(day25.at("/figures/feedback/shareRated4To5").asDouble()).isEqualTo(0.5);
    assertThat(day25.at("/figures/feedback/responseRate").asDouble()).isEqualTo(1.0);
    assertThat(day25.at("/figures/commerce/productsPerCall").asDouble()).isEqualTo(1.5);
    assertThat(day25.at("/figures/commerce/conversion").asDouble()).isEqualTo(0.5);
    assertThat(summary.at("/callsBy/outcome/sale").asLong()).isEqualTo(1);
    assertThat(summary.at("/callsBy/outcome/no-sale").asLong()).isEqualTo(1);
    assertThat(summary.at("/callsBy/end-reason/hang-up").asLong()).isEqualTo(2);

    // Per agent: offers, handling, presence. a1 was seen from midnight to midnight of the 25-hour day.
    JsonNode agents = get(a.ownerToken(), "/api/v1/tenants/" + a.id() + "/reports/agents?from=2026-10-25&to=2026-10-25");
    JsonNode a1 = agentRow(agents, a.agentId());
    assertThat(a1.at("/figures/agents/offersMade").asLong()).isEqualTo(2);
    assertThat(a1.at("/figures/agents/offersAccepted").asLong()).isEqualTo(1);
    assertThat(a1.at("/figures/agents/offersRejected").asLong()).isEqualTo(1);
    assertThat(a1.at("/figures/agents/averageHandleTimeMs").asLong()).isEqualTo(600_000);
    long available = a1.at("/figures/agents/availableMs").asLong();
    long busy = a1.at("/figures/agents/busyMs").asLong();
    long away = a1.at("/figures/agents/awayMs").asLong();
    assertThat(busy).isEqualTo(600_000);
    assertThat(available).isEqualTo(40_000 + 56_995_000);
    assertThat(available + busy + away).isEqualTo(25 * 3_600_000L);
    assertThat(a1.at("/figures/agents/occupancy").asDouble()).isEqualTo(Math.round(600.0 / 57_635 * 10_000) / 10_000.0);
    JsonNode a2 = agentRow(agents, "agent-2");
    assertThat(a2.at("/figures/agents/offersExpired").asLong()).isEqualTo(1);
    assertThat(a2.at("/figures/agents/availableMs").asLong()).isEqualTo(25_000 + 90_000);
    JsonNode a2Day24 = agentRow(get(a.ownerToken(), "/api/v1/tenants/" + a.id()
        + "/reports/agents?from=2026-10-24&to=2026-10-24"), "agent-2");
    assertThat(a2Day24.at("/figures/agents/availableMs").asLong()).isEqualTo(3_600_000);

    // Filters: language (queue figures only) and agent
    JsonNode english = get(a.ownerToken(), summaryPath(a, "from=2026-10-24&to=2026-10-25&language=en")).get("total");
    assertThat(english.at("/queue/queued").asLong()).isEqualTo(1);
    assertThat(english.at("/calls/calls").asLong()).isZero();
    JsonNode onlyA2 = get(a.ownerToken(), summaryPath(a, "from=2026-10-24&to=2026-10-25&agentId=agent-2")).get("total");
    assertThat(onlyA2.at("/queue/answered").asLong()).isEqualTo(1);
    assertThat(onlyA2.at("/calls/calls").asLong()).isEqualTo(1);

    // The heat map: Sunday 2026-10-25, t3 joined at 13:00 local (+01:00)
    JsonNode cells = get(a.adminToken(), "/api/v1/tenants/" + a.id() + "/reports/heatmap?from=2026-10-24&to=2026-10-25")
        .get("cells");
    assertThat(cells).hasSize(168);
    JsonNode sunday13 = cells.get(6 * 24 + 13);
    assertThat(sunday13.get("dayOfWeek").asInt()).isEqualTo(7);
    assertThat(sunday13.get("queued").asLong()).isEqualTo(1);
    assertThat(sunday13.get("abandoned").asLong()).isEqualTo(1);
    assertThat(cells.get(6 * 24).get("answered").asLong()).isEqualTo(1); // t1 at 00:00 Sunday
    assertThat(cells.get(5 * 24 + 23).get("abandoned").asLong()).isEqualTo(1); // t2 at 23:59 Saturday
  }

  private static JsonNode agentRow(JsonNode table, String agentId) {
    for (JsonNode row : table.get("agents")) {
      if (row.hasNonNull("agentId") && agentId.equals(row.get("agentId").asText())) return row;
    }
    throw new AssertionError("no row for " + agentId + " in " + table);
  }

  @Test
  @Order(2)
  void tenantsNeverSeeEachOthersNumbersAndAgentsSeeTheirOwn() {
    JsonNode bTotal = get(b.ownerToken(), summaryPath(b, "from=2026-10-24&to=2026-10-25")).get("total");
    await().atMost(PROJECTED).untilAsserted(() ->
        assertThat(get(b.ownerToken(), summaryPath(b, "from=2026-10-24&to=2026-10-25")).at("/total/calls/ended")
            .asLong()).isEqualTo(1));
    assertThat(bTotal.at("/queue/queued").asLong()).isEqualTo(1);
    assertThat(get(a.ownerToken(), summaryPath(a, "from=2026-10-24&to=2026-10-25")).at("/total/queue/queued").asLong())
        .isEqualTo(5);
    ApiClient.Reply crossed = api.call("GET", summaryPath(b, "from=2026-10-24&to=2026-10-25")).bearer(a.ownerToken())
        .send();
    assertThat(crossed.status()).isEqualTo(404);

    // The agent asks for everything and gets their own figures; asking for a colleague is refused.
    JsonNode own = get(a.agentToken(), summaryPath(a, "from=2026-10-24&to=2026-10-25"));
    assertThat(own.at("/filters/agentId").asText()).isEqualTo(a.agentId());
    assertThat(own.at("/total/calls/calls").asLong()).isEqualTo(1);
    assertThat(own.at("/total/queue/answered").asLong()).isEqualTo(1);
    ApiClient.Reply colleague = api.call("GET", summaryPath(a, "from=2026-10-24&to=2026-10-25&agentId=agent-2"))
        .bearer(a.agentToken()).send();
    assertThat(colleague.status()).isEqualTo(403);
    assertThat(colleague.code()).isEqualTo("report_agent_not_allowed");
    assertThat(api.call("GET", "/api/v1/tenants/" + a.id() + "/reports/heatmap").bearer(a.agentToken()).send()
        .status()).isEqualTo(403);
  }

  @Test
  @Order(3)
  void badQueriesAreProblemsWithStableCodes() {
    String base = "/api/v1/tenants/" + a.id() + "/reports/";
    assertThat(api.call("GET", base + "summary?from=2026-13-01").bearer(a.ownerToken()).send().code())
        .isEqualTo("report_range_invalid");
    assertThat(api.call("GET", base + "summary?from=2026-10-25&to=2026-10-24").bearer(a.ownerToken()).send().code())
        .isEqualTo("report_range_invalid");
    assertThat(api.call("GET", base + "summary?from=2020-01-01&to=2026-01-01").bearer(a.ownerToken()).send().code())
        .isEqualTo("report_range_invalid");
    assertThat(api.call("GET", base + "summary?bucket=year").bearer(a.ownerToken()).send().code())
        .isEqualTo("report_bucket_invalid");
    assertThat(api.call("GET", base + "summary?outcome=sale").bearer(a.ownerToken()).send().code())
        .isEqualTo("report_filter_unsupported");
    assertThat(api.call("GET", base + "agents?agentId=" + "x".repeat(65)).bearer(a.ownerToken()).send().code())
        .isEqualTo("report_filter_invalid");
    ApiClient.Reply wrongT = api.call("PUT", base + "settings").bearer(a.ownerToken())
        .body(java.util.Map.of("serviceLevelSeconds", 601)).send();
    assertThat(wrongT.status()).isEqualTo(400);
    assertThat(wrongT.code()).isEqualTo("report_settings_invalid");
    assertThat(wrongT.contentType()).startsWith("application/problem+json");
  }

  @Test
  @Order(4)
  void aTenantsOwnServiceLevelThresholdCountsThePastAgain() {
    String base = "/api/v1/tenants/" + a.id() + "/reports/";
    ApiClient.Reply set = api.call("PUT", base + "settings").bearer(a.ownerToken())
        .body(java.util.Map.of("serviceLevelSeconds", 150)).send();
    assertThat(set.status()).as("%s", set).isEqualTo(200);
    JsonNode q = get(a.ownerToken(), summaryPath(a, "from=2026-10-25&to=2026-10-25")).at("/buckets/0/figures/queue");
    assertThat(q.get("serviceLevelSeconds").asInt()).isEqualTo(150);
    assertThat(q.get("serviceLevel").asDouble()).isEqualTo(0.5);
    api.call("PUT", base + "settings").bearer(a.ownerToken()).body(java.util.Map.of("serviceLevelSeconds", 60)).send();
  }

  @Test
  @Order(5)
  void billedMinutesAndTheirCostComeFromTheWalletsDebits() {
    // A call of today: its MinuteStarted events go the real way, call-minute billing debits tenant
    // A's wallet (opened on its trial, so the minutes are included and cost 0) and the ledger
    // projection counts each debit on the day it was debited. (The fixed October calls' minutes are
    // refused by the wallet as stale ticks: older than Wallet.ROOM_MEMORY for rooms it never saw.)
    String recent = "room-today-" + a.id();
    Instant started = Instant.now().minusSeconds(600);
    room(recent, opened(recent, a.id(), "t-today", a.agentId(), started),
        new CallRoom.CallStarted(started),
        new CallRoom.MinuteStarted(a.id(), 0, started),
        new CallRoom.MinuteStarted(a.id(), 1, started.plusSeconds(60)),
        new CallRoom.MinuteStarted(a.id(), 2, started.plusSeconds(120)),
        new CallRoom.CallEnded("hang-up", "agent", 150, started.plusSeconds(150)));
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Berlin"));
    String path = summaryPath(a, "from=" + today.minusDays(1) + "&to=" + today.plusDays(1));
    await().atMost(PROJECTED).untilAsserted(() ->
        assertThat(get(a.ownerToken(), path).at("/total/billing/debitedMinutes").asLong()).isEqualTo(3));
    JsonNode billing = get(a.ownerToken(), path).at("/total/billing");
    assertThat(billing.get("includedMinutes").asLong()).isEqualTo(3);
    assertThat(billing.get("cost").asLong()).isZero();
    // As many minutes as the rooms started (on the days the calls were).
    assertThat(get(a.ownerToken(), summaryPath(a, "from=2026-10-24&to=2026-10-25")).at("/total/calls/billedMinutes")
        .asLong()).isEqualTo(3);
  }

  // --- tenant D: bookings ------------------------------------------------------------------------

  private void booking(BookingCalendar.Event... events) {
    journal.write(BookingCalendar.ENTITY_KEY.name(), d.id(), BookingCalendar.tagFor(d.id()), List.of(events));
  }

  private BookingCalendar.BookingMade made(String id, String agentId, Instant at) {
    var vault = io.videoshop.persistence.SharedDatabase.get(platform.node.system()).personalDataVault();
    String subject = "shopper-" + id + "-" + d.id();
    List<EncryptedPersonalData> sealed = vault.encryptNew(subject, List.of("Booker " + id, id + "@shopper.test"));
    BookingDetails details = new BookingDetails(subject, sealed.get(0), sealed.get(1), null, null, null, "UTC", false);
    Instant start = at.plus(Duration.ofDays(2));
    return new BookingCalendar.BookingMade(new BookingCalendar.Booking(id, agentId, false, start,
        start.plus(Duration.ofMinutes(30)), BookingCalendar.Status.BOOKED, 0, details, at, at, null, null), at);
  }

  @Test
  @Order(6)
  void bookingsMadeAttendedNoShowAndCancelledPerDayAndAgentOnAFixedSequence() throws Exception {
    String x = d.agentId();
    String y = "agent-d2";
    booking(
        made("b1", x, at("2026-09-10T09:00:00Z")),
        made("b2", x, at("2026-09-10T09:05:00Z")),
        made("b3", y, at("2026-09-10T09:10:00Z")),
        // 23:59:59 on the 10th in Berlin (+02:00): the 10th
        made("b4", y, at("2026-09-10T21:59:59Z")),
        // b2 goes to y before it ends: its no-show is y's
        new BookingCalendar.BookingReassigned("b2", x, y, 1, at("2026-09-10T10:00:00Z")),
        // exactly midnight in Berlin: the 11th
        new BookingCalendar.BookingCancelled("b4", "changed plans", true, 1, at("2026-09-10T22:00:00Z")),
        new BookingCalendar.BookingOutcomeRecorded("b1", BookingCalendar.Outcome.ATTENDED, "room-b1",
            at("2026-09-12T15:00:00Z")),
        new BookingCalendar.BookingOutcomeRecorded("b2", BookingCalendar.Outcome.NO_SHOW, null,
            at("2026-09-12T15:30:00Z")),
        // b3 is still booked
        made("b5", x, at("2026-10-01T08:00:00Z")),
        new BookingCalendar.BookingRescheduled("b5", x, at("2026-10-06T08:00:00Z"), at("2026-10-06T08:30:00Z"), 1,
            at("2026-10-01T09:00:00Z")),
        new BookingCalendar.BookingCancelled("b5", null, false, 2, at("2026-10-02T12:00:00Z")));
    // September whole (its month roll-up in the per-agent table and month buckets), October's first days.
    String range = "from=2026-09-01&to=2026-10-05";
    String base = "/api/v1/tenants/" + d.id() + "/reports/";
    await().atMost(PROJECTED).untilAsserted(() -> assertThat(get(d.ownerToken(), base + "summary?" + range)
        .at("/total/bookings/cancelled").asLong()).isEqualTo(2));
    JsonNode days = get(d.ownerToken(), base + "summary?" + range);
    assertThat(days.at("/total/bookings")).isEqualTo(json("""
        {"made": 5, "attended": 1, "noShow": 1, "missed": 0, "cancelled": 2, "noShowRate": 0.5}"""));
    java.util.Map<String, String> byDay = new java.util.TreeMap<>();
    for (JsonNode bucket : days.get("buckets")) {
      JsonNode b = bucket.at("/figures/bookings");
      if (b.get("made").asLong() + b.get("attended").asLong() + b.get("noShow").asLong() + b.get("cancelled").asLong() > 0) {
        byDay.put(bucket.get("from").asText(), b.get("made") + "/" + b.get("attended") + "/" + b.get("noShow") + "/"
            + b.get("cancelled"));
      }
    }
    assertThat(byDay).containsExactly(java.util.Map.entry("2026-09-10", "4/0/0/0"),
        java.util.Map.entry("2026-09-11", "0/0/0/1"), java.util.Map.entry("2026-09-12", "0/1/1/0"),
        java.util.Map.entry("2026-10-01", "1/0/0/0"), java.util.Map.entry("2026-10-02", "0/0/0/1"));
    JsonNode months = get(d.ownerToken(), base + "summary?" + range + "&bucket=month");
    assertThat(months.at("/buckets/0/figures/bookings")).isEqualTo(json("""
        {"made": 4, "attended": 1, "noShow": 1, "missed": 0, "cancelled": 1, "noShowRate": 0.5}"""));
    assertThat(months.at("/buckets/1/figures/bookings")).isEqualTo(json("""
        {"made": 1, "attended": 0, "noShow": 0, "missed": 0, "cancelled": 1}"""));
    JsonNode agents = get(d.ownerToken(), base + "agents?" + range);
    java.util.Map<String, JsonNode> perAgent = new java.util.HashMap<>();
    agents.get("agents").forEach(row -> perAgent.put(row.path("agentId").asText(), row.at("/figures/bookings")));
    assertThat(perAgent.get(x)).isEqualTo(json("""
        {"made": 3, "attended": 1, "noShow": 0, "missed": 0, "cancelled": 1, "noShowRate": 0.0}"""));
    assertThat(perAgent.get(y)).isEqualTo(json("""
        {"made": 2, "attended": 0, "noShow": 1, "missed": 0, "cancelled": 1, "noShowRate": 1.0}"""));
    assertThat(agents.at("/total/bookings")).isEqualTo(days.at("/total/bookings"));
    // An agent sees their own.
    assertThat(get(d.agentToken(), base + "summary?" + range).at("/total/bookings/made").asLong()).isEqualTo(3);
    // The CSVs: the same figures, under the JSON's paths.
    List<CSVRecord> agentCsv = csv(d.ownerToken(), base + "agents.csv?" + range);
    CSVRecord xRow = agentCsv.stream().filter(r -> r.get("agentId").equals(x)).findFirst().orElseThrow();
    assertThat(List.of(xRow.get("bookings.made"), xRow.get("bookings.attended"), xRow.get("bookings.noShow"),
        xRow.get("bookings.cancelled"))).containsExactly("3", "1", "0", "1");
    List<CSVRecord> summaryCsv = csv(d.ownerToken(), base + "summary.csv?" + range + "&bucket=month");
    CSVRecord totalRow = summaryCsv.get(summaryCsv.size() - 1);
    assertThat(List.of(totalRow.get("bookings.made"), totalRow.get("bookings.attended"), totalRow.get("bookings.noShow"),
        totalRow.get("bookings.cancelled"), totalRow.get("bookings.noShowRate"))).containsExactly("5", "1", "1", "2", "0.5");
  }

  @Test
  @Order(6)
  void aBookingWhoseShopperCameButGotNoCallCountsAsMissedNotAsANoShow() throws Exception {
    String y = "agent-d2";
    booking(
        made("b6", y, at("2026-12-01T10:00:00Z")),
        new BookingCalendar.BookingShopperArrived("b6", at("2026-12-03T10:01:00Z")),
        new BookingCalendar.BookingShopperLeft("b6", at("2026-12-03T10:20:00Z")),
        new BookingCalendar.BookingOutcomeRecorded("b6", BookingCalendar.Outcome.MISSED, null, at("2026-12-03T10:30:00Z")));
    String range = "from=2026-12-01&to=2026-12-31";
    String base = "/api/v1/tenants/" + d.id() + "/reports/";
    await().atMost(PROJECTED).untilAsserted(() -> assertThat(get(d.ownerToken(), base + "summary?" + range)
        .at("/total/bookings/missed").asLong()).isEqualTo(1));
    assertThat(get(d.ownerToken(), base + "summary?" + range).at("/total/bookings")).isEqualTo(json("""
        {"made": 1, "attended": 0, "noShow": 0, "missed": 1, "cancelled": 0, "noShowRate": 0.0}"""));
    List<CSVRecord> agentCsv = csv(d.ownerToken(), base + "agents.csv?" + range);
    CSVRecord yRow = agentCsv.stream().filter(r -> r.get("agentId").equals(y)).findFirst().orElseThrow();
    assertThat(List.of(yRow.get("bookings.missed"), yRow.get("bookings.noShow"))).containsExactly("1", "0");
  }

  private static JsonNode json(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  // --- tenant C: generated data, totals that agree everywhere --------------------------------------

  private void writeGenerated() {
    Random random = new Random(20261130);
    String[] agents = {c.agentId(), "agent-c2", "agent-c3"};
    List<TenantQueue.Event> events = new ArrayList<>();
    Instant cursor = at("2026-10-30T06:00:00Z"); // across the end of October: days and a month roll-up
    for (String agent : agents) events.add(presence(agent, Presence.AVAILABLE, cursor));
    int calls = 0;
    for (int i = 0; i < 90; i++) {
      cursor = cursor.plusSeconds(600 + random.nextInt(3_600)); // spreads over about five days, nights included
      String ticket = "tc" + i;
      events.add(joined(ticket, random.nextBoolean() ? "de" : "en", cursor));
      if (random.nextInt(5) == 0) {
        events.add(new TenantQueue.TicketLeft(ticket, cursor.plusSeconds(random.nextInt(300))));
        continue;
      }
      String agent = agents[i % agents.length];
      Instant accepted = cursor.plusSeconds(random.nextInt(240));
      String roomId = "room-c-" + i + "-" + c.id();
      events.add(offered("rc" + i, ticket, agent, accepted.minusSeconds(1)));
      events.add(new TenantQueue.ReservationAccepted("rc" + i, ticket, agent, roomId, accepted));
      long talk = 30 + random.nextInt(900);
      Instant ended = accepted.plusSeconds(10 + talk);
      events.add(new TenantQueue.CallFinished(agent, roomId, Duration.between(accepted, ended.plusSeconds(30)),
          ended.plusSeconds(30)));
      List<CallRoom.Event> roomEvents = new ArrayList<>();
      roomEvents.add(opened(roomId, c.id(), ticket, agent, accepted.plusSeconds(5)));
      roomEvents.add(new CallRoom.CallStarted(accepted.plusSeconds(10)));
      for (int m = 0; m <= talk / 60; m++) {
        roomEvents.add(new CallRoom.MinuteStarted(c.id(), m, accepted.plusSeconds(10 + 60L * m)));
      }
      int products = random.nextInt(4);
      for (int p = 0; p < products; p++) roomEvents.add(product("sku-" + p, accepted.plusSeconds(12 + p)));
      int adds = products == 0 ? 0 : random.nextInt(3);
      for (int p = 0; p < adds; p++) roomEvents.add(new CallRoom.AddedToCart("sku-0", accepted.plusSeconds(20 + p)));
      roomEvents.add(new CallRoom.CallEnded("hang-up", "agent", talk, ended));
      if (random.nextInt(3) > 0) roomEvents.add(new CallRoom.FeedbackGiven(1 + random.nextInt(5), null, ended));
      roomEvents.add(new CallRoom.WrappedUp(random.nextBoolean() ? "sale" : "=SUM(A1)", null, ended));
      room(roomId, roomEvents.toArray(CallRoom.Event[]::new));
      calls++;
    }
    queue(c.id(), events.toArray(TenantQueue.Event[]::new));
    generatedCalls = calls;
  }

  @Test
  @Order(6)
  void theTotalsOfARangeAgreeInTheSummaryThePerAgentTableTheCsvAndTheRowLevelList() throws Exception {
    writeGenerated();
    // October's last days come from the day rows; the per-agent table and month buckets read
    // November from its month roll-up, the day and week buckets from its days.
    String range = "from=2026-10-25&to=2026-11-30";
    String base = "/api/v1/tenants/" + c.id() + "/reports/";
    await().atMost(PROJECTED).untilAsserted(() -> {
      JsonNode total = get(c.ownerToken(), base + "summary?" + range).get("total");
      assertThat(total.at("/calls/ended").asLong()).isEqualTo(generatedCalls);
      assertThat(total.at("/queue/queued").asLong()).isEqualTo(90);
      assertThat(total.at("/queue/answered").asLong() + total.at("/queue/abandoned").asLong()).isEqualTo(90);
      assertThat(total.at("/agents/handled").asLong()).isEqualTo(generatedCalls);
    });
    JsonNode summary = get(c.ownerToken(), base + "summary?" + range + "&bucket=day");
    JsonNode total = summary.get("total");
    JsonNode agents = get(c.ownerToken(), base + "agents?" + range);
    JsonNode weeks = get(c.ownerToken(), base + "summary?" + range + "&bucket=week");
    JsonNode months = get(c.ownerToken(), base + "summary?" + range + "&bucket=month");
    assertThat(months.get("buckets")).hasSize(2);
    assertThat(months.at("/buckets/0/figures/queue/queued").asLong()).as("October holds some of the tickets")
        .isPositive();
    assertThat(months.at("/buckets/1/figures/queue/queued").asLong()).as("and November the others").isPositive();
    List<JsonNode> calls = new ArrayList<>();
    get(c.ownerToken(), base + "calls?" + range + "&limit=1000").get("items").forEach(calls::add);
    List<CSVRecord> agentCsv = csv(c.ownerToken(), base + "agents.csv?" + range);
    List<CSVRecord> summaryCsv = csv(c.ownerToken(), base + "summary.csv?" + range);
    List<CSVRecord> callsCsv = csv(c.ownerToken(), base + "calls.csv?" + range);

    String[] figures = {"/queue/queued", "/queue/answered", "/queue/abandoned", "/calls/calls", "/calls/ended",
        "/calls/talkSeconds", "/calls/billedMinutes", "/feedback/rated", "/commerce/productsShown",
        "/commerce/callsWithAddToCart", "/agents/offersMade", "/agents/handled", "/agents/busyMs"};
    for (String figure : figures) {
      long expected = total.at(figure).asLong();
      assertThat(sum(summary.get("buckets"), "/figures" + figure)).as("days %s", figure).isEqualTo(expected);
      assertThat(sum(weeks.get("buckets"), "/figures" + figure)).as("weeks %s", figure).isEqualTo(expected);
      assertThat(sum(months.get("buckets"), "/figures" + figure)).as("months %s", figure).isEqualTo(expected);
      assertThat(months.at("/total" + figure).asLong()).as("months total %s", figure).isEqualTo(expected);
      assertThat(sum(agents.get("agents"), "/figures" + figure)).as("agents %s", figure).isEqualTo(expected);
      assertThat(agents.at("/total" + figure).asLong()).as("agents total %s", figure).isEqualTo(expected);
      String column = figure.substring(1).replace('/', '.');
      long agentRows = agentCsv.stream().filter(r -> !r.get("agentId").equals("(total)"))
          .mapToLong(r -> Long.parseLong(r.get(column))).sum();
      assertThat(agentRows).as("agents.csv %s", column).isEqualTo(expected);
      assertThat(Long.parseLong(summaryCsv.get(summaryCsv.size() - 1).get(column))).as("summary.csv %s", column)
          .isEqualTo(expected);
    }
    // The histograms merged from the roll-ups give the same percentiles and service level as the days'.
    for (String figure : new String[] {"/queue/waitP50Ms", "/queue/waitP90Ms", "/queue/serviceLevel",
        "/queue/longestWaitMs", "/queue/averageSpeedOfAnswerMs", "/calls/durationP90Ms", "/agents/occupancy"}) {
      assertThat(total.at(figure).isMissingNode()).as("%s is there", figure).isFalse();
      assertThat(agents.at("/total" + figure)).as("agents total %s", figure).isEqualTo(total.at(figure));
      assertThat(months.at("/total" + figure)).as("months total %s", figure).isEqualTo(total.at(figure));
    }
    for (JsonNode agent : agents.get("agents")) {
      if (agent.path("agentId").isMissingNode() || agent.path("agentId").isNull()) continue;
      JsonNode alone = get(c.ownerToken(), base + "summary?" + range + "&agentId=" + agent.get("agentId").asText())
          .get("total");
      assertThat(agent.at("/figures/calls/durationP90Ms")).isEqualTo(alone.at("/calls/durationP90Ms"));
      assertThat(agent.at("/figures/queue/waitP90Ms")).isEqualTo(alone.at("/queue/waitP90Ms"));
    }
    // The row-level list and its CSV: one row per call, the same sums.
    assertThat(calls).hasSize((int) total.at("/calls/calls").asLong());
    assertThat(callsCsv).hasSize(calls.size());
    assertThat(calls.stream().mapToLong(call -> call.get("minutes").asLong()).sum())
        .isEqualTo(total.at("/calls/billedMinutes").asLong());
    assertThat(callsCsv.stream().mapToLong(r -> Long.parseLong(r.get("minutes"))).sum())
        .isEqualTo(total.at("/calls/billedMinutes").asLong());
    assertThat(calls.stream().mapToLong(call -> call.path("durationSeconds").asLong()).sum())
        .isEqualTo(total.at("/calls/talkSeconds").asLong());
    assertThat(calls.stream().mapToLong(call -> call.get("productsShown").asLong()).sum())
        .isEqualTo(total.at("/commerce/productsShown").asLong());
    assertThat(calls.stream().filter(call -> call.get("addedToCart").asLong() > 0).count())
        .isEqualTo(total.at("/commerce/callsWithAddToCart").asLong());
    assertThat(calls.stream().filter(call -> call.hasNonNull("rating")).count())
        .isEqualTo(total.at("/feedback/rated").asLong());
    assertThat(calls.stream().filter(call -> "sale".equals(call.path("outcome").asText())).count())
        .isEqualTo(summary.at("/callsBy/outcome/sale").asLong());
    // A wrap-up outcome that looks like a formula leaves the CSV defused.
    assertThat(callsCsv.stream().map(r -> r.get("outcome")).filter(o -> o.contains("SUM")).toList())
        .isNotEmpty().allMatch(o -> o.startsWith("'="));
    // The outcome filter of the list agrees with the summary's count.
    assertThat(get(c.ownerToken(), base + "calls?" + range + "&limit=1000&outcome=sale").get("items").size())
        .isEqualTo(summary.at("/callsBy/outcome/sale").asInt());
  }

  private static long sum(JsonNode rows, String pointer) {
    long sum = 0;
    for (JsonNode row : rows) sum += row.at(pointer).asLong();
    return sum;
  }

  private List<CSVRecord> csv(String token, String path) throws Exception {
    ApiClient.Reply reply = api.call("GET", path).bearer(token).send();
    assertThat(reply.status()).as("%s", reply).isEqualTo(200);
    assertThat(reply.contentType()).startsWith("text/csv");
    return CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
        .parse(new StringReader(reply.body())).getRecords();
  }

  // --- rebuild -------------------------------------------------------------------------------------

  @Test
  @Order(7)
  void projectionsRebuiltFromTheJournalGiveTheSameNumbers() throws Exception {
    List<String> paths = List.of(
        summaryPath(a, "from=2026-10-24&to=2026-10-25"),
        "/api/v1/tenants/" + a.id() + "/reports/agents?from=2026-10-24&to=2026-10-25",
        "/api/v1/tenants/" + a.id() + "/reports/heatmap?from=2026-10-24&to=2026-10-25",
        "/api/v1/tenants/" + c.id() + "/reports/summary?from=2026-10-25&to=2026-11-30&bucket=week",
        "/api/v1/tenants/" + c.id() + "/reports/summary?from=2026-10-25&to=2026-11-30&bucket=month",
        "/api/v1/tenants/" + c.id() + "/reports/agents?from=2026-10-25&to=2026-11-30",
        "/api/v1/tenants/" + c.id() + "/reports/calls?from=2026-10-25&to=2026-11-30&limit=1000",
        "/api/v1/tenants/" + d.id() + "/reports/agents?from=2026-09-01&to=2026-10-05");
    List<JsonNode> before = paths.stream().map(path -> get(platform.operatorToken(), path)).toList();
    platform.node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    // The reset of docs/reporting.md, with the nodes down: read models and their offsets gone.
    var db = platform.database.settings();
    try (var connection = java.sql.DriverManager.getConnection(db.url(), db.user(), db.password());
        var statement = connection.createStatement()) {
      for (String table : List.of("report_queue_days", "report_queue_months", "report_queue_hours",
          "report_call_days", "report_call_months", "report_call_outcomes", "report_call_outcome_months",
          "report_waiting_tickets", "report_agent_presence", "calls", "report_booking_days", "report_booking_months",
          "report_open_bookings")) {
        statement.executeUpdate("DELETE FROM " + table);
      }
      statement.executeUpdate("DELETE FROM pekko_projection_offset_store WHERE projection_name IN ('calls',"
          + " 'queue-reports', 'booking-reports')");
    }
    // A fresh node on the same database rebuilds them from the journal.
    rebuilt = TestNodes.start(platform.database, "videoshop.bootstrap { operator-email = \""
        + TestPlatform.OPERATOR_EMAIL + "\", operator-password = \"" + TestPlatform.PASSWORD + "\" }\n" + JWT);
    api = new ApiClient(rebuilt.httpPort());
    String operator = operatorToken();
    await().atMost(PROJECTED).untilAsserted(() -> {
      for (int i = 0; i < paths.size(); i++) {
        assertThat(get(operator, paths.get(i))).as(paths.get(i)).isEqualTo(before.get(i));
      }
    });
  }

  @Test
  @Order(8)
  void theReportTablesHoldCountsDurationsAndIdsButNoPersonalData() throws Exception {
    Set<String> allowed = new java.util.HashSet<>(Set.of("tenant_id", "report_day", "local_hour", "agent_id",
        "language", "ticket_id", "booking_id", "joined_at", "offer_expired", "presence", "since", "dimension", "dimension_value",
        "service_level_seconds"));
    List<String> seen = new ArrayList<>();
    var db = platform.database.settings();
    try (var connection = java.sql.DriverManager.getConnection(db.url(), db.user(), db.password());
        var rs = connection.createStatement().executeQuery("SELECT table_name, column_name, data_type FROM"
            + " information_schema.columns WHERE table_schema = current_schema() AND table_name LIKE 'report%'")) {
      while (rs.next()) {
        String column = rs.getString(2);
        seen.add(rs.getString(1) + "." + column);
        boolean figure = rs.getString(3).equals("bigint") || column.endsWith("_waits") || column.endsWith("_durations");
        assertThat(figure || allowed.contains(column)).as("%s.%s (%s) is a count, a duration, a sketch or an id",
            rs.getString(1), column, rs.getString(3)).isTrue();
      }
    }
    assertThat(seen).contains("report_queue_days.queued", "report_call_days.rated", "report_waiting_tickets.joined_at");
  }

  /**
   * The queue projection merges a group's row changes in memory (ReportRow.Batch) and writes each
   * row once: the rows must be exactly those of writing every change at once, roll-ups included
   * (counters, maxima, sketches; the same row changed again; a month boundary).
   */
  @Test
  @Order(9)
  void aGroupsChangesMergedInABatchWriteTheSameRowsAsEachChangeWrittenAtOnce() throws Exception {
    var db = platform.database.settings();
    try (var connection = java.sql.DriverManager.getConnection(db.url(), db.user(), db.password())) {
      connection.setAutoCommit(false);
      ReportRow.Batch batch = new ReportRow.Batch();
      for (String tenant : List.of("batch-each", "batch-merged")) {
        ReportRow.Writes writes = tenant.equals("batch-each") ? row -> row.write(connection) : batch;
        for (String[] change : new String[][] {{"2026-11-30", "agent-1", "20"}, {"2026-11-30", "agent-1", "70"},
            {"2026-12-01", "agent-1", "20"}, {"2026-11-30", "agent-2", "700"}, {"2026-11-30", "agent-1", "5"}}) {
          long waitMs = Long.parseLong(change[2]) * 1000;
          ReportRow.of(QueueReports.DAYS).rollUp(QueueReports.MONTHS).key("tenant_id", tenant)
              .key("report_day", java.time.LocalDate.parse(change[0])).key("agent_id", change[1]).key("language", "")
              .add("answered", 1).add("answer_wait_ms", waitMs).max("longest_wait_ms", waitMs)
              .sketch("answer_waits", waitMs / 1000).write(writes);
        }
      }
      batch.flush(connection);
      for (String table : List.of(QueueReports.DAYS, QueueReports.MONTHS)) {
        List<List<String>> each = rows(connection, table, "batch-each");
        assertThat(each).as(table).hasSize(3); // agent-1 on 30 Nov and 1 Dec, agent-2 on 30 Nov; months alike
        assertThat(rows(connection, table, "batch-merged")).as(table).isEqualTo(each);
      }
      assertThat(rows(connection, QueueReports.MONTHS, "batch-merged").get(0))
          .as("November, agent-1: three waits, the longest 70 s, one sketch of 5, 20 and 70 s")
          .isEqualTo(List.of("2026-11-01", "agent-1", "3", "95000", "70000", DurationSketch.of(5, 20, 70).encode()));
      connection.rollback();
    }
  }

  private static List<List<String>> rows(java.sql.Connection connection, String table, String tenant)
      throws java.sql.SQLException {
    List<List<String>> rows = new ArrayList<>();
    try (var select = connection.prepareStatement("SELECT report_day, agent_id, answered, answer_wait_ms,"
        + " longest_wait_ms, answer_waits FROM " + table + " WHERE tenant_id = ? ORDER BY report_day, agent_id")) {
      select.setString(1, tenant);
      try (var rs = select.executeQuery()) {
        while (rs.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= 6; i++) row.add(rs.getString(i));
          rows.add(row);
        }
      }
    }
    return rows;
  }

  private String operatorToken() {
    return api.call("POST", "/api/v1/auth/login").body(java.util.Map.of("email", TestPlatform.OPERATOR_EMAIL,
        "password", TestPlatform.PASSWORD)).send().json().get("accessToken").asText();
  }
}
