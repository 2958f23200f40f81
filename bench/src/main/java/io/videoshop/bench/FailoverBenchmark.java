package io.videoshop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.WidgetEvent;
import io.videoshop.protocol.WidgetRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failover with a real process killed (issue 16, point 14): one tenant, nine shoppers (three
 * sockets on each of three nodes) join its queue; the node hosting the tenant's queue shard is
 * sent SIGKILL; every shopper then resumes its ticket on a surviving node with the widget's
 * rhythm (reconnect after 1 s, 2 s, 4 s, ... up to 10 s; {@code resume} again 2 s after an
 * {@code unavailable}). Prints kill -> first resumed operation, kill -> all resumed, the
 * {@code unavailable}s and other errors answered meanwhile, and whether every ticket kept its place.
 * Options {@code --name=value}: ports, node-pids, management-ports, db-url, db-user, db-password,
 * operator-email, operator-password (as bin/videoshop passes them), settings (a label printed
 * with the figures), resume-retry-ms (1000), give-up-seconds (180), hold-seconds (0: how long the
 * queued cluster runs before the kill while every node's {@code /cluster/members} is read each
 * second; any member seen unreachable or gone meanwhile is a false failure detection, which is
 * what a shorter failure detector or {@code stable-after} risks on a loaded machine).
 */
public final class FailoverBenchmark {
  private static final int SHOPPERS = 9;
  private static final int RECONNECT_MAX_MS = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> options;
  private final List<Integer> ports;
  private final List<Long> pids;
  private final List<Integer> managementPorts;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final long started = System.nanoTime();
  private final AtomicLong unavailable = new AtomicLong();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final int resumeRetryMs;
  private final int giveUpSeconds;
  private final int holdSeconds;

  private record Ticket(int shopper, int node, String ticketId, String resumeToken, int position) {}

  /** A ticket's place after the kill and when it was answered ({@link System#nanoTime()}). */
  private record Resumed(Ticket ticket, int position, long at, int node) {}

  private FailoverBenchmark(Map<String, String> options) {
    this.options = options;
    this.ports = numbers(options.get("ports"), Integer::valueOf);
    this.pids = numbers(options.get("node-pids"), Long::valueOf);
    this.managementPorts = numbers(options.get("management-ports"), Integer::valueOf);
    this.resumeRetryMs = Integer.parseInt(options.getOrDefault("resume-retry-ms", "1000"));
    this.giveUpSeconds = Integer.parseInt(options.getOrDefault("give-up-seconds", "180"));
    this.holdSeconds = Integer.parseInt(options.getOrDefault("hold-seconds", "0"));
    if (ports.size() < 2 || pids.size() != ports.size() || managementPorts.size() != ports.size()) {
      throw new IllegalArgumentException("needs --ports, --node-pids and --management-ports of two or more nodes");
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) throw new IllegalArgumentException("not --name=value: " + arg);
      options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    boolean ok = new FailoverBenchmark(options).run();
    System.exit(ok ? 0 : 1);
  }

  private boolean run() throws Exception {
    AdminApi api = new AdminApi("http://127.0.0.1:" + ports.get(0));
    String operator = api.login(options.get("operator-email"), options.get("operator-password"));
    String slug = "failover-" + UUID.randomUUID().toString().substring(0, 8);
    String tenantId = api.createTenant(operator, "Failover shop", slug);
    api.openAllDay(operator, tenantId, QueueBenchmark.MAX_LENGTH, QueueBenchmark.RESERVATION_TIMEOUT_SECONDS,
        QueueBenchmark.ORIGIN);
    String key = api.widgetKey(operator, tenantId, QueueBenchmark.ORIGIN);
    log("tenant %s and its widget key ready", slug);

    // Nine shoppers join one after the other (their order is the queue's order), shopper k on node k mod n.
    List<Ticket> tickets = new ArrayList<>();
    List<ProtocolSocket<WidgetEvent>> sockets = new ArrayList<>();
    for (int k = 0; k < SHOPPERS; k++) {
      int node = k % ports.size();
      ProtocolSocket<WidgetEvent> socket = open(key, node);
      var queued = socket.expect(WidgetEvent.Queued.class);
      socket.send(WidgetRequest.class, new WidgetRequest.Join("Shopper " + k, null, null, "en", null,
          "trail shoes", null, null, null));
      WidgetEvent.Queued place = queued.get(30, TimeUnit.SECONDS).event();
      tickets.add(new Ticket(k, node, place.ticketId(), place.resumeToken(), place.position()));
      sockets.add(socket);
    }
    log("%d shoppers queued at places %s", tickets.size(), tickets.stream().map(Ticket::position).toList());

    Hold hold = hold();
    int victim = queueNode(tenantId);
    log("the tenant's queue (shard %s) lives on node %d (pid %d)%s", ShardPlacement.shardOf(tenantId), victim + 1,
        pids.get(victim), victim == 0 ? ", the oldest node: the shard coordinator moves too" : "");
    List<Integer> survivors = new ArrayList<>();
    for (int node = 0; node < ports.size(); node++) if (node != victim) survivors.add(node);

    long kill = System.nanoTime();
    ProcessHandle.of(pids.get(victim)).orElseThrow(() -> new IllegalStateException("node process gone"))
        .destroyForcibly(); // SIGKILL on Linux
    log("node %d sent SIGKILL", victim + 1);

    // The orphans (their socket was on the killed node) reconnect to a survivor; the others open a
    // second socket (a page reload) and resume there: every ticket is asked for its place.
    ExecutorService pool = Executors.newFixedThreadPool(SHOPPERS);
    List<Future<Resumed>> answers = new ArrayList<>();
    for (Ticket ticket : tickets) {
      boolean orphan = ticket.node() == victim;
      answers.add(pool.submit(() -> resume(key, ticket, survivors, orphan, kill)));
    }
    List<Resumed> resumed = new ArrayList<>();
    for (Future<Resumed> answer : answers) {
      Resumed one = answer.get(giveUpSeconds + 60L, TimeUnit.SECONDS);
      if (one != null) resumed.add(one);
    }
    pool.shutdownNow();
    sockets.forEach(ProtocolSocket::close);

    List<Resumed> orphans = resumed.stream().filter(r -> r.ticket().node() == victim).toList();
    long orphanCount = tickets.stream().filter(t -> t.node() == victim).count();
    boolean placesKept = resumed.size() == tickets.size()
        && resumed.stream().allMatch(r -> r.position() == r.ticket().position());
    System.out.println();
    System.out.println("==== Failover benchmark: " + ports.size() + " nodes, node " + (victim + 1) + " killed (SIGKILL)"
        + (victim == 0 ? ", the oldest" : "") + " ====");
    System.out.println("settings: " + options.getOrDefault("settings", "(as configured)")
        + "; widget rhythm: reconnect 1 s, 2 s, 4 s ... " + RECONNECT_MAX_MS / 1000 + " s, resume again "
        + resumeRetryMs + " ms after unavailable");
    System.out.printf(Locale.ROOT, "kill -> first resumed operation:         %s%n", millis(first(orphans), kill));
    System.out.printf(Locale.ROOT, "kill -> all %d orphaned shoppers resumed: %s%n", orphanCount,
        orphans.size() == orphanCount ? millis(last(orphans), kill) : "not all (" + orphans.size() + ")");
    System.out.printf(Locale.ROOT, "kill -> all %d tickets answered a place:  %s%n", tickets.size(),
        resumed.size() == tickets.size() ? millis(last(resumed), kill) : "not all (" + resumed.size() + ")");
    System.out.printf(Locale.ROOT, "answered meanwhile: %d unavailable, other errors %s%n", unavailable.get(), errors);
    System.out.printf(Locale.ROOT, "every ticket kept its place and order: %s (before %s, after %s)%n",
        placesKept ? "yes" : "NO", tickets.stream().map(Ticket::position).toList(),
        resumed.stream().map(Resumed::position).toList());
    if (holdSeconds > 0) {
      System.out.printf(Locale.ROOT, "before the kill, %d s of membership read each second: %d reading(s) with a member"
          + " unreachable or gone %s%n", holdSeconds, hold.falseReadings(), hold.seen());
    }
    System.out.println("FIGURES kill_to_first_ms=" + ms(first(orphans), kill) + " kill_to_all_ms="
        + ms(last(resumed), kill) + " unavailable=" + unavailable.get() + " places_kept=" + placesKept
        + (holdSeconds > 0 ? " hold_s=" + holdSeconds + " false_unreachable_readings=" + hold.falseReadings() : ""));
    return placesKept;
  }

  /** What the membership reads before the kill saw: readings with a member unreachable or missing. */
  private record Hold(int falseReadings, List<String> seen) {}

  private Hold hold() throws InterruptedException {
    int falseReadings = 0;
    List<String> seen = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
    if (holdSeconds > 0) log("holding %d s before the kill, reading the membership each second", holdSeconds);
    while (System.nanoTime() < end) {
      for (int node = 0; node < managementPorts.size(); node++) {
        String problem;
        try {
          HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + managementPorts.get(node) + "/cluster/members")).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
          JsonNode members = JSON.readTree(response.body());
          int up = 0;
          for (JsonNode member : members.path("members")) if ("Up".equals(member.path("status").asText())) up++;
          problem = members.path("unreachable").size() > 0 ? "unreachable " + members.path("unreachable")
              : up < managementPorts.size() ? up + " members up" : null;
        } catch (Exception e) {
          problem = "no answer: " + rootCause(e);
        }
        if (problem != null) {
          falseReadings++;
          String what = "node " + (node + 1) + " read " + problem;
          log("%s", what);
          if (seen.size() < 10) seen.add(what);
        }
      }
      TimeUnit.SECONDS.sleep(1);
    }
    return new Hold(falseReadings, seen);
  }

  /** One shopper's widget after the kill: reconnect with backoff, resume, again 2 s after unavailable. */
  private Resumed resume(String key, Ticket ticket, List<Integer> survivors, boolean orphan, long kill)
      throws InterruptedException {
    long giveUp = kill + TimeUnit.SECONDS.toNanos(giveUpSeconds);
    int attempt = 0;
    if (orphan) TimeUnit.MILLISECONDS.sleep(1000); // the widget's first reconnect delay
    while (System.nanoTime() < giveUp) {
      int node = survivors.get((ticket.shopper() + attempt) % survivors.size());
      ProtocolSocket<WidgetEvent> socket = null;
      try {
        socket = open(key, node);
        while (socket.isOpen() && System.nanoTime() < giveUp) {
          var answer = socket.expect(event -> event instanceof WidgetEvent.Queued || event instanceof ErrorMessage
              || event instanceof WidgetEvent.Refused || event instanceof WidgetEvent.Left);
          socket.send(WidgetRequest.class, new WidgetRequest.Resume(ticket.ticketId(), ticket.resumeToken()));
          ProtocolSocket.Received<WidgetEvent> received = answer.get(30, TimeUnit.SECONDS);
          if (received.event() instanceof WidgetEvent.Queued queued) {
            return new Resumed(ticket, queued.position(), received.at(), node);
          }
          if (received.event() instanceof ErrorMessage error && error.code().equals("unavailable")) {
            unavailable.incrementAndGet();
          } else {
            errors.computeIfAbsent(describe(received.event()), what -> new AtomicLong()).incrementAndGet();
            if (!(received.event() instanceof ErrorMessage)) return null; // refused or left: the place is gone
          }
          TimeUnit.MILLISECONDS.sleep(resumeRetryMs);
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        errors.computeIfAbsent("socket: " + rootCause(e), what -> new AtomicLong()).incrementAndGet();
      } finally {
        if (socket != null) socket.close();
      }
      TimeUnit.MILLISECONDS.sleep(Math.min(RECONNECT_MAX_MS, 1000L << Math.min(attempt, 10)));
      attempt++;
    }
    log("shopper %d gave up after %d s", ticket.shopper(), giveUpSeconds);
    return null;
  }

  private int queueNode(String tenantId) throws Exception {
    for (int tries = 0; tries < 20; tries++) {
      int node = ShardPlacement.read(managementPorts).nodeOf(tenantId);
      if (node != ShardPlacement.UNKNOWN) return node;
      TimeUnit.MILLISECONDS.sleep(500);
    }
    throw new IllegalStateException("no node reports the tenant's queue shard " + ShardPlacement.shardOf(tenantId));
  }

  private ProtocolSocket<WidgetEvent> open(String key, int node) throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + ports.get(node) + "/ws/widget?key="
        + URLEncoder.encode(key, StandardCharsets.UTF_8));
    return ProtocolSocket.open(http, uri, QueueBenchmark.ORIGIN, WidgetEvent.class).get(30, TimeUnit.SECONDS);
  }

  private static String describe(WidgetEvent event) {
    if (event instanceof ErrorMessage error) return error.code();
    if (event instanceof WidgetEvent.Refused refused) return "refused " + refused.code();
    if (event instanceof WidgetEvent.Left left) return "left " + left.reason();
    return event.getClass().getSimpleName();
  }

  private static String rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) cause = cause.getCause();
    return cause.getClass().getSimpleName();
  }

  private static Long first(List<Resumed> resumed) {
    return resumed.stream().map(Resumed::at).min(Long::compare).orElse(null);
  }

  private static Long last(List<Resumed> resumed) {
    return resumed.stream().map(Resumed::at).max(Long::compare).orElse(null);
  }

  private static String millis(Long at, long kill) {
    return at == null ? "none" : ms(at, kill) + " ms";
  }

  private static long ms(Long at, long kill) {
    return at == null ? -1 : TimeUnit.NANOSECONDS.toMillis(at - kill);
  }

  private static <T> List<T> numbers(String commaSeparated, java.util.function.Function<String, T> parse) {
    if (commaSeparated == null || commaSeparated.isBlank()) return List.of();
    return java.util.Arrays.stream(commaSeparated.split(",")).map(String::strip).map(parse).toList();
  }

  private void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - started) / 1e9,
        String.format(Locale.ROOT, format, args));
  }
}
