package io.videoshop.reporting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.queue.Presence;
import io.videoshop.queue.Reservation;
import io.videoshop.queue.TenantQueue;
import io.videoshop.queue.Ticket;
import io.videoshop.queue.TicketDetails;
import io.videoshop.room.CallRoom;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Load generator, not a test: the reports' read and write sides on PostgreSQL. Run with
 * {@code bin/videoshop bench-report}; figures are recorded in docs/benchmarks.md.
 *
 * <p>Reads: one year of report rows for 100 tenants x 20 agents (500 calls a day per tenant),
 * inserted as the projections would write them (server-side generate_series, sketches made by
 * {@link DurationSketch}); then a one-month summary and a one-year per-agent report over HTTP,
 * next to the same run's HTTP floor (an admin read of one tenant row) and the raw SQL fetch of
 * the rows the year report reads. Writes: calls made of the queue's and the rooms' real events
 * persisted into the journal by many entities at once, timed until the projections have counted
 * every one. Settings (system properties): {@code bench.tenants} (100), {@code bench.agents}
 * (20), {@code bench.days} (365), {@code bench.requests} (200), {@code bench.calls} (3000).
 */
public final class ReportBenchmark {
  private static final String PG_URL = env("VIDEOSHOP_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String PG_USER = env("VIDEOSHOP_TEST_PG_USER", "postgres");
  private static final String PG_PASSWORD = env("VIDEOSHOP_TEST_PG_PASSWORD", "");
  private static final String OPERATOR = "operator@bench.videoshop.local";
  private static final String PASSWORD = "bench-password-" + UUID.randomUUID();
  private static final LocalDate FIRST_DAY = LocalDate.of(2025, 12, 1);

  private ReportBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tenants = Integer.getInteger("bench.tenants", 100);
    int agents = Integer.getInteger("bench.agents", 20);
    int days = Integer.getInteger("bench.days", 365);
    int requests = Integer.getInteger("bench.requests", 200);
    int calls = Integer.getInteger("bench.calls", 3000);
    String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    String url = PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    System.out.printf("Report benchmark: %d tenants x %d agents x %d days, %d cores, PostgreSQL %s%n", tenants, agents,
        days, Runtime.getRuntime().availableProcessors(), PG_URL);
    VideoShopNode node = VideoShopNode.start(config(url));
    java.util.concurrent.ScheduledExecutorService vacuum = emulateAutovacuum(url);
    try {
      long t0 = System.nanoTime();
      long rows = generate(url, tenants, agents, days);
      System.out.printf("generated %,d report rows in %.0f s (inserted as the projections write them)%n", rows,
          (System.nanoTime() - t0) / 1e9);
      if (days > 0) reads(node, url, tenants, days, requests);
      // On days after the generated ones: a day of the generated year already holds its counts.
      projection(node, url, tenants, calls, FIRST_DAY.plusDays(days + 1));
      explain(url);
    } finally {
      vacuum.shutdownNow();
      node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      try (Connection admin = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
          Statement statement = admin.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  /**
   * With autovacuum off (as on the shared benchmark machine; production must not run so,
   * docs/operations.md), what autovacuum would do for the tables the projections' polls and
   * writes churn: VACUUM (ANALYZE) every 5 s, as bin/videoshop does for the queue benchmark.
   * Without it the journal is never analysed nor marked all-visible, and each tag poll scans its
   * whole range: the polls then take the machine (docs/benchmarks.md, "The read side").
   */
  private static java.util.concurrent.ScheduledExecutorService emulateAutovacuum(String url) throws Exception {
    java.util.concurrent.ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW autovacuum")) {
      rs.next();
      if (!"off".equals(rs.getString(1))) return loop;
    }
    System.out.println("PostgreSQL runs with autovacuum off: the journal and the projections' working tables are"
        + " vacuumed every 5 s, as autovacuum would.");
    loop.scheduleWithFixedDelay(() -> {
      try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
          Statement statement = connection.createStatement()) {
        statement.execute("VACUUM (ANALYZE) event_journal, event_tag, pekko_projection_offset_store,"
            + " report_waiting_tickets, report_agent_presence, calls, call_summaries");
      } catch (Exception e) {
        System.out.println("vacuum: " + e.getMessage());
      }
    }, 5, 5, TimeUnit.SECONDS);
    return loop;
  }

  // --- reads -----------------------------------------------------------------------------------------

  /** The reports over HTTP, one request at a time, next to the same run's floor and raw fetch. */
  private static void reads(VideoShopNode node, String url, int tenants, int days, int requests) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + node.httpPort();
    String token = login(http, base);
    Random random = new Random(7);
    // warm up
    for (int i = 0; i < 20; i++) {
      get(http, base + "/api/v1/tenants/bt-" + random.nextInt(tenants) + "/reports/summary?from=2026-03-01&to=2026-03-31",
          token);
    }
    long[] floor = measure(requests, () -> get(http, base + "/api/v1/tenants/bt-" + random.nextInt(tenants), token));
    long[] month = measure(requests, () -> {
      LocalDate from = FIRST_DAY.plusMonths(random.nextInt(11));
      get(http, base + "/api/v1/tenants/bt-" + random.nextInt(tenants) + "/reports/summary?from=" + from + "&to="
          + from.plusMonths(1).minusDays(1), token);
    });
    long[] year = measure(requests, () -> get(http, base + "/api/v1/tenants/bt-" + random.nextInt(tenants)
        + "/reports/agents?from=" + FIRST_DAY + "&to=" + FIRST_DAY.plusDays(days - 1), token));
    // The same, its edges not on month boundaries: 15 days at each end come from the day rows.
    long[] raggedYear = measure(requests, () -> get(http, base + "/api/v1/tenants/bt-" + random.nextInt(tenants)
        + "/reports/agents?from=" + FIRST_DAY.plusDays(15) + "&to=" + FIRST_DAY.plusDays(days - 1).minusDays(15), token));
    long[] raw = measure(requests, () -> rawYear(url, "bt-" + random.nextInt(tenants), days));
    long[] monthCsv = measure(requests / 4, () -> {
      LocalDate from = FIRST_DAY.plusMonths(random.nextInt(11));
      get(http, base + "/api/v1/tenants/bt-" + random.nextInt(tenants) + "/reports/summary.csv?from=" + from
          + "&to=" + from.plusMonths(1).minusDays(1), token);
    });
    System.out.println();
    print("HTTP floor (GET one tenant)", floor);
    print("one-month summary (day buckets)", month);
    print("one-month summary CSV", monthCsv);
    print("one-year per-agent report", year);
    print("the same, 15 ragged days at each end", raggedYear);
    print("raw SQL of the year's day rows (JDBC)", raw);
  }

  private static long generate(String url, int tenants, int agents, int days) throws Exception {
    Random random = new Random(42);
    List<String> waits = new ArrayList<>();
    List<String> talks = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      DurationSketch wait = DurationSketch.empty();
      DurationSketch talk = DurationSketch.empty();
      for (int k = 0; k < 25; k++) {
        wait = wait.with((long) Math.abs(random.nextGaussian() * 45));
        talk = talk.with(60 + (long) Math.abs(random.nextGaussian() * 400));
      }
      waits.add("'" + wait.encode() + "'");
      talks.add("'" + talk.encode() + "'");
    }
    String w = "(ARRAY[" + String.join(",", waits) + "])[1 + (abs(hashtext(t::text || d::text || a::text)) % 16)]";
    String tk = "(ARRAY[" + String.join(",", talks) + "])[1 + (abs(hashtext(a::text || d::text || t::text)) % 16)]";
    String series = " FROM generate_series(0, " + (tenants - 1) + ") t, generate_series(0, " + (days - 1) + ") d";
    String agentSeries = series + ", generate_series(0, " + (agents - 1) + ") a";
    String day = "DATE '" + FIRST_DAY + "' + d";
    try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO tenants (id, slug, name, status, plan, settings, created_at, updated_at, version)"
          + " SELECT 'bt-' || t, 'bt-' || t, 'Bench ' || t, 'active', 'trial',"
          + " '{\"timeZone\":\"Europe/Berlin\",\"currency\":\"EUR\"}', now(), now(), 1 FROM generate_series(0, "
          + (tenants - 1) + ") t");
      long rows = 0;
      rows += statement.executeUpdate("INSERT INTO report_queue_days (tenant_id, report_day, agent_id, language, answered,"
          + " answer_wait_ms, longest_wait_ms, answer_waits, offers_made, offers_accepted, offers_rejected,"
          + " offers_expired, handled, handle_ms, available_ms, busy_ms, away_ms, offline_ms)"
          + " SELECT 'bt-' || t, " + day + ", 'agent-' || a, '', 24, 24 * 35000, 180000, " + w
          + ", 26, 24, 1, 1, 24, 24 * 420000, 10800000, 10080000, 1800000, 63720000" + agentSeries);
      rows += statement.executeUpdate("INSERT INTO report_queue_days (tenant_id, report_day, agent_id, language, queued,"
          + " abandoned_left, abandoned_after_expiry, abandoned_max_wait, abandoned_disconnected, longest_wait_ms,"
          + " abandon_waits) SELECT 'bt-' || t, " + day + ", '', '', 500, 12, 4, 0, 4, 240000, " + w.replace("a::text",
          "'x'") + series);
      rows += statement.executeUpdate("INSERT INTO report_call_days (tenant_id, report_day, agent_id, calls, ended,"
          + " talk_seconds, talk_durations, billed_minutes, rated, rating_sum, rated_4_5, products_shown,"
          + " calls_with_cart) SELECT 'bt-' || t, " + day + ", 'agent-' || a, 24, 24, 24 * 330, " + tk
          + ", 24 * 6, 14, 58, 10, 40, 7" + agentSeries);
      rows += statement.executeUpdate("INSERT INTO report_call_outcomes (tenant_id, report_day, agent_id, dimension, dimension_value,"
          + " calls) SELECT 'bt-' || t, " + day + ", 'agent-' || a, o.dimension, o.value, o.calls" + agentSeries
          + ", (VALUES ('outcome', 'sale', 8), ('outcome', 'no-sale', 16), ('end-reason', 'hang-up', 24))"
          + " AS o(dimension, value, calls)");
      rows += statement.executeUpdate("INSERT INTO report_queue_hours (tenant_id, report_day, local_hour, queued, answered,"
          + " abandoned, answer_wait_ms, longest_wait_ms, answer_waits) SELECT 'bt-' || t, " + day
          + ", h, 21, 20, 1, 20 * 35000, 200000, " + w.replace("a::text", "h::text") + series
          + ", generate_series(0, 23) h");
      rows += statement.executeUpdate("INSERT INTO report_booking_days (tenant_id, report_day, agent_id, bookings_made,"
          + " bookings_attended, bookings_no_show, bookings_cancelled) SELECT 'bt-' || t, " + day + ", 'agent-' || a,"
          + " 2, 1, 0, 1" + agentSeries);
      rows += monthRollUps(connection, statement);
      // What autovacuum does for closed days (it is off on some machines): the pages marked
      // all-visible (index-only scans) and the planner's statistics, for the tables filled here.
      for (String table : List.of("tenants", "report_queue_days", "report_call_days", "report_call_outcomes",
          "report_queue_hours", "report_booking_days", "report_queue_months", "report_call_months",
          "report_call_outcome_months", "report_booking_months")) {
        statement.execute("VACUUM (ANALYZE) " + table);
      }
      return rows;
    }
  }

  /**
   * The month roll-ups of the generated days, as the projections write them: summed in SQL by the
   * schema migration's own statements (V97, which fill the roll-ups from existing days), then each
   * month's comma-joined sketches merged into one, as the projection's writes store them.
   */
  private static long monthRollUps(Connection connection, Statement statement) throws Exception {
    long rows = 0;
    String migration;
    try (var in = ReportBenchmark.class.getResourceAsStream("/db/migration/postgres/V97__report_month_backfill.sql")) {
      migration = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    for (String sql : migration.split(";")) {
      String trimmed = sql.lines().filter(line -> !line.startsWith("--")).collect(java.util.stream.Collectors.joining("\n"))
          .trim();
      if (trimmed.startsWith("INSERT")) rows += statement.executeUpdate(trimmed);
    }
    rows += statement.executeUpdate("INSERT INTO report_booking_months SELECT tenant_id,"
        + " CAST(date_trunc('month', report_day) AS DATE), agent_id, SUM(bookings_made), SUM(bookings_attended),"
        + " SUM(bookings_no_show), SUM(bookings_cancelled) FROM report_booking_days"
        + " GROUP BY tenant_id, CAST(date_trunc('month', report_day) AS DATE), agent_id");
    merge(connection, "report_queue_months", List.of("agent_id", "language"), List.of("answer_waits", "abandon_waits"));
    merge(connection, "report_call_months", List.of("agent_id"), List.of("talk_durations"));
    return rows;
  }

  private static void merge(Connection connection, String table, List<String> keys, List<String> sketches)
      throws Exception {
    String key = "tenant_id, report_day, " + String.join(", ", keys);
    try (Statement select = connection.createStatement();
        ResultSet rs = select.executeQuery("SELECT " + key + ", " + String.join(", ", sketches) + " FROM " + table);
        var update = connection.prepareStatement("UPDATE " + table + " SET "
            + String.join(", ", sketches.stream().map(c -> c + " = ?").toList()) + " WHERE tenant_id = ? AND report_day = ?"
            + String.join("", keys.stream().map(k -> " AND " + k + " = ?").toList()))) {
      int batch = 0;
      while (rs.next()) {
        int i = 1;
        for (String sketch : sketches) update.setString(i++, DurationSketch.decode(rs.getString(sketch)).encode());
        update.setString(i++, rs.getString("tenant_id"));
        update.setObject(i++, rs.getObject("report_day", LocalDate.class));
        for (String k : keys) update.setString(i++, rs.getString(k));
        update.addBatch();
        if (++batch % 1000 == 0) update.executeBatch();
      }
      update.executeBatch();
    }
  }

  private static void rawYear(String url, String tenant, int days) {
    try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT * FROM report_queue_days WHERE tenant_id = '" + tenant
            + "' AND report_day >= DATE '" + FIRST_DAY + "' AND report_day <= DATE '" + FIRST_DAY.plusDays(days - 1)
            + "' UNION ALL SELECT tenant_id, report_day, agent_id, '', calls, ended, 0, 0, 0, 0, talk_seconds, 0,"
            + " talk_durations, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM report_call_days WHERE tenant_id = '" + tenant
            + "' AND report_day >= DATE '" + FIRST_DAY + "' AND report_day <= DATE '" + FIRST_DAY.plusDays(days - 1) + "'")) {
      while (rs.next()) rs.getString("answer_waits");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String login(HttpClient http, String base) throws Exception {
    HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + OPERATOR + "\",\"password\":\"" + PASSWORD + "\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(reply.body()).get("accessToken").asText();
  }

  private static void get(HttpClient http, String url, String token) {
    try {
      HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(url))
          .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (reply.statusCode() != 200) throw new IllegalStateException(url + " -> " + reply.statusCode() + reply.body());
    } catch (java.io.IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long[] measure(int count, Runnable request) {
    long[] nanos = new long[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      request.run();
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static void print(String what, long[] sorted) {
    System.out.printf("%-36s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d requests, one at a time)%n", what,
        quantile(sorted, 0.50), quantile(sorted, 0.99), sorted[sorted.length - 1] / 1e6, sorted.length);
  }

  private static double quantile(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  // --- writes ----------------------------------------------------------------------------------------

  /**
   * The projections' pace, two ways. Alongside: calls of real events written by many entities at
   * once while the projections run, timed until they counted every one (bounded by the journal's
   * own writes, the baseline). Catching up: the same number of calls written while
   * {@code queue-reports} and {@code calls} are paused (ProjectionManagement), then resumed and
   * timed until they counted every one: the events per second the projections themselves sustain,
   * roll-ups included, whatever the journal's writers manage on the machine.
   */
  private static void projection(VideoShopNode node, String url, int tenants, int calls, LocalDate firstDay)
      throws Exception {
    JournalWriter.Writers journal = new JournalWriter.Writers(node.system());
    String dayA = firstDay.toString();
    String dayB = firstDay.plusDays(1).toString();
    Written alongside = write(journal, tenants, calls, Instant.parse(dayA + "T08:00:00Z"), "a");
    long counted = awaitCounted(url, dayA, alongside.calls())[2];
    System.out.printf("journal writes (baseline)            %,8.0f events/s  (%,d events of %,d calls by %,d entities,"
        + " %.1f s)%n", alongside.events() / ((alongside.written() - alongside.start()) / 1e9), alongside.events(),
        alongside.calls(), alongside.calls() + tenants, (alongside.written() - alongside.start()) / 1e9);
    System.out.printf("projected alongside the writes       %,8.0f events/s  (all counted %.1f s after the first write,"
        + " %.1f s after the last)%n", alongside.events() / ((counted - alongside.start()) / 1e9),
        (counted - alongside.start()) / 1e9, (counted - alongside.written()) / 1e9);

    org.apache.pekko.projection.javadsl.ProjectionManagement management =
        org.apache.pekko.projection.javadsl.ProjectionManagement.get(node.system());
    List<org.apache.pekko.projection.ProjectionId> paused = new ArrayList<>();
    TenantQueue.TAGS.forEach(tag -> paused.add(org.apache.pekko.projection.ProjectionId.of(QueueReportProjection.NAME, tag)));
    CallRoom.TAGS.forEach(tag -> paused.add(org.apache.pekko.projection.ProjectionId.of(
        io.videoshop.room.CallsProjection.NAME, tag)));
    for (var id : paused) management.pause(id).toCompletableFuture().get(30, TimeUnit.SECONDS);
    Written backlog = write(journal, tenants, calls, Instant.parse(dayB + "T08:00:00Z"), "b");
    long[] whilePaused = counted(url, dayB);
    long resumed = System.nanoTime();
    for (var id : paused) management.resume(id).toCompletableFuture().get(30, TimeUnit.SECONDS);
    long[] caughtUp = awaitCounted(url, dayB, backlog.calls());
    System.out.printf("projected catching up (paused, then resumed) %,8.0f events/s  (%,d events counted in %.1f s;"
        + " aim 1,000 events/s; calls handled / rated while paused: %d / %d of %d)%n",
        backlog.events() / ((caughtUp[2] - resumed) / 1e9), backlog.events(), (caughtUp[2] - resumed) / 1e9,
        whilePaused[0], whilePaused[1], backlog.calls());
    long queueEvents = backlog.calls() * 4 + tenants;
    System.out.printf("  of which queue-reports alone           %,8.0f events/s  (its %,d events in %.1f s)%n",
        queueEvents / ((caughtUp[0] - resumed) / 1e9), queueEvents, (caughtUp[0] - resumed) / 1e9);
    System.out.printf("  and calls alone                        %,8.0f events/s  (its %,d events in %.1f s)%n",
        (backlog.events() - queueEvents) / ((caughtUp[1] - resumed) / 1e9), backlog.events() - queueEvents,
        (caughtUp[1] - resumed) / 1e9);
  }

  private record Written(long events, long calls, long start, long written) {}

  /** {@code calls} calls of one day, each of the queue's 4 and the room's 8 real events, by many entities at once. */
  private static Written write(JournalWriter.Writers journal, int tenants, int calls, Instant day, String run)
      throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(16);
    long events = 0;
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    long start = System.nanoTime();
    int perTenant = Math.max(1, calls / tenants);
    for (int t = 0; t < tenants; t++) {
      String tenant = "bt-" + t;
      List<TenantQueue.Event> queue = new ArrayList<>();
      queue.add(new TenantQueue.AgentPresenceChanged("agent-0", Presence.AVAILABLE, Set.of(), Set.of(), day));
      for (int i = 0; i < perTenant; i++) {
        Instant at = day.plusSeconds(60L * i);
        String ticket = "t-" + run + i;
        String room = "room-" + run + t + "-" + i;
        queue.add(new TenantQueue.TicketJoined(new Ticket(ticket, new TicketDetails("s", new EncryptedPersonalData("s",
            "x"), null, null, null, "de", Set.of(), null, null, false), "h", at, null)));
        queue.add(new TenantQueue.ReservationOffered(new Reservation("r-" + run + i, ticket, "agent-0", at.plusSeconds(5),
            at.plusSeconds(25))));
        queue.add(new TenantQueue.ReservationAccepted("r-" + run + i, ticket, "agent-0", room, at.plusSeconds(10)));
        queue.add(new TenantQueue.CallFinished("agent-0", room, Duration.ofSeconds(40), at.plusSeconds(50)));
        List<CallRoom.Event> roomEvents = List.of(
            new CallRoom.RoomOpened(room, tenant, ticket, "agent-0", "s", 60, 10, at.plusSeconds(11)),
            new CallRoom.CallStarted(at.plusSeconds(12)),
            new CallRoom.MinuteStarted(tenant, 0, at.plusSeconds(12)),
            new CallRoom.ProductShown(new CallRoom.Product("sku", "Shoe", null, "1", null), at.plusSeconds(13)),
            new CallRoom.AddedToCart("sku", at.plusSeconds(14)),
            new CallRoom.CallEnded("hang-up", "agent", 30, at.plusSeconds(42)),
            new CallRoom.FeedbackGiven(5, null, at.plusSeconds(43)),
            new CallRoom.WrappedUp("sale", null, at.plusSeconds(44)));
        events += roomEvents.size();
        writes.add(CompletableFuture.runAsync(() -> journal.write(CallRoom.ENTITY_KEY.name(), room,
            CallRoom.tagFor(room), roomEvents), writers));
      }
      events += queue.size();
      writes.add(CompletableFuture.runAsync(() -> journal.write(TenantQueue.ENTITY_KEY.name(), tenant,
          TenantQueue.tagFor(tenant), queue), writers));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    long written = System.nanoTime();
    writers.shutdown();
    return new Written(events, (long) perTenant * tenants, start, written);
  }

  /** Calls the queue's projection counted as handled and the rooms' as rated on {@code day}. */
  private static long[] counted(String url, String day) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT (SELECT COALESCE(SUM(handled), 0) FROM report_queue_days"
            + " WHERE report_day = DATE '" + day + "'), (SELECT COALESCE(SUM(rated), 0) FROM report_call_days"
            + " WHERE report_day = DATE '" + day + "')")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  /**
   * Waits until the queue's and the rooms' projections counted {@code calls} calls on {@code day};
   * when the queue's had, when the rooms' had, when both had.
   */
  private static long[] awaitCounted(String url, String day, long calls) throws Exception {
    long since = System.nanoTime();
    long[] done = new long[3];
    while (true) {
      long[] counted = counted(url, day);
      long now = System.nanoTime();
      if (done[0] == 0 && counted[0] >= calls) done[0] = now;
      if (done[1] == 0 && counted[1] >= calls) done[1] = now;
      if (done[0] != 0 && done[1] != 0) {
        done[2] = now;
        return done;
      }
      if (System.nanoTime() - since > TimeUnit.MINUTES.toNanos(10)) throw new IllegalStateException("not projected");
      Thread.sleep(50);
    }
  }

  /** The query each reporting poller runs every 500 ms (pekko-persistence-jdbc's eventsByTag), explained. */
  private static void explain(String url) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement()) {
      long max;
      try (ResultSet rs = statement.executeQuery("SELECT max(ordering) FROM event_journal")) {
        rs.next();
        max = rs.getLong(1);
      }
      System.out.println();
      System.out.println("EXPLAIN ANALYZE of one poll of TenantQueue-0 (nothing new after the last offset):");
      try (ResultSet rs = statement.executeQuery("EXPLAIN (ANALYZE, BUFFERS) SELECT j.ordering, j.deleted,"
          + " j.persistence_id, j.sequence_number, j.event_ser_manifest, j.event_payload FROM event_journal j, event_tag t"
          + " WHERE t.tag = 'TenantQueue-0' AND j.ordering > " + max + " AND j.ordering <= " + (max + 500)
          + " AND j.ordering = t.event_id ORDER BY j.ordering LIMIT 500")) {
        while (rs.next()) System.out.println("  " + rs.getString(1));
      }
    }
  }

  private static Config config(String url) {
    return ConfigFactory.load(ConfigFactory.parseString("""
        videoshop.database { kind = postgres, url = "%s", user = "%s", password = "%s", pool-size = 10 }
        videoshop.http { host = "127.0.0.1", port = 0 }
        videoshop.cluster { host = "127.0.0.1", port = 0 }
        videoshop.management { host = "127.0.0.1", port = 0 }
        videoshop.bootstrap { operator-email = "%s", operator-password = "%s" }
        videoshop.auth.jwt-secret = "ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz"
        videoshop.privacy.master-key = "%s"
        videoshop.log.level = WARN
        pekko.coordinated-shutdown.exit-jvm = off
        """.formatted(url, PG_USER, PG_PASSWORD, OPERATOR, PASSWORD, masterKey())).withFallback(ConfigFactory.defaultApplication()));
  }

  /** A master key of this run only (the schema, and every key it wraps, is dropped at the end). */
  private static String masterKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return "bench:" + java.util.Base64.getEncoder().encodeToString(key);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
