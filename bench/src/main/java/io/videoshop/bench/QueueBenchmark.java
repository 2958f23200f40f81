package io.videoshop.bench;

import io.videoshop.protocol.ConsoleEvent;
import io.videoshop.protocol.ConsoleRequest;
import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.WidgetEvent;
import io.videoshop.protocol.WidgetRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;

/**
 * The live-queue benchmark (issue 4, point 10; issue 7, point 7): a load generator speaking the
 * real widget and agent-console protocol over real WebSockets to one running node on PostgreSQL,
 * or to several nodes of one cluster with the sockets spread over all of them. It sets its
 * tenants up through the admin API, then measures, in this order:
 *
 * <ol>
 *   <li>joins per second sustained: many sockets in join/leave cycles across the tenants, and the
 *       journal's events per second meanwhile;
 *   <li>the raw insert ceiling of the same PostgreSQL for rows shaped like those journal rows;
 *   <li>with 10 waiting shoppers in each tenant: join to {@code queued}, the head leaving to every
 *       other socket of its tenant having its new {@code position}, and an agent's {@code accept}
 *       to the shopper's {@code assigned};
 *   <li>how many idle widget sockets the node holds and its heap per socket (one node only).
 * </ol>
 *
 * With several nodes, shopper {@code k} of tenant {@code t} connects to node {@code (t + k) mod n}
 * and the agent of tenant {@code t} to node {@code t mod n}, so every tenant has sockets on every
 * node; the latencies (a) and (b) are also told apart by how many node boundaries their path
 * crossed (see {@link ShardPlacement}).
 *
 * Run by {@code bin/videoshop bench-queue} (and {@code bench-cluster}), which starts the nodes and
 * a fresh database; see docs/benchmarks.md for what the figures mean. Options:
 * {@code --name=value} (see {@link Options}).
 */
public final class QueueBenchmark {
  static final String ORIGIN = "https://shop.bench.example";
  static final String PASSWORD = "bench passphrase 2026";
  /** Queue policy of every bench tenant. */
  static final int MAX_LENGTH = 100;
  static final int RESERVATION_TIMEOUT_SECONDS = 60;

  /** Settings; each can be given as {@code --name=value}. */
  record Options(List<Integer> ports, List<Long> nodePids, List<Integer> managementPorts, String summary,
      String dbUrl, String dbUser, String dbPassword, String operatorEmail, String operatorPassword, int tenants,
      int throughputSockets, int warmupSeconds, int measureSeconds, int socketGapMillis, int waitingPerTenant,
      int fanOutRounds, int fanOutPauseMillis, int acceptPauseMillis, int joinRate, int idleSockets, int clients,
      int connectConcurrency, int ceilingMillis, List<String> phases, boolean stackBaseline) {

    static Options parse(String[] args) {
      Map<String, String> given = new HashMap<>();
      for (String arg : args) {
        if (!arg.startsWith("--") || !arg.contains("=")) throw new IllegalArgumentException("not --name=value: " + arg);
        given.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      }
      Options options = new Options(
          list(required(given, "ports"), Integer::valueOf), list(required(given, "node-pids"), Long::valueOf),
          list(given.getOrDefault("management-ports", ""), Integer::valueOf), given.get("summary"),
          required(given, "db-url"), given.getOrDefault("db-user", "postgres"), given.getOrDefault("db-password", ""),
          required(given, "operator-email"), required(given, "operator-password"),
          number(given, "tenants", 100), number(given, "throughput-sockets", 1000),
          number(given, "warmup-seconds", 30), number(given, "measure-seconds", 16),
          number(given, "socket-gap-ms", 220), number(given, "waiting-per-tenant", 10),
          number(given, "fan-out-rounds", 5), number(given, "fan-out-pause-ms", 1000),
          number(given, "accept-pause-ms", 1000), number(given, "join-rate", 200),
          number(given, "idle-sockets", 10_000),
          number(given, "clients", 8), number(given, "connect-concurrency", 200),
          number(given, "ceiling-ms", 3000),
          List.of(given.getOrDefault("phases", "join,ceiling,waiting,idle").split(",")),
          Boolean.parseBoolean(given.getOrDefault("stack-baseline", "false")));
      given.keySet().removeAll(List.of("ports", "node-pids", "management-ports", "summary", "db-url", "db-user",
          "db-password", "operator-email", "operator-password", "tenants", "throughput-sockets", "warmup-seconds",
          "measure-seconds", "socket-gap-ms", "waiting-per-tenant", "fan-out-rounds", "fan-out-pause-ms",
          "accept-pause-ms", "join-rate", "idle-sockets", "clients", "connect-concurrency", "ceiling-ms", "phases",
          "stack-baseline"));
      if (!given.isEmpty()) throw new IllegalArgumentException("unknown options: " + given.keySet());
      if (options.nodePids().size() != options.nodes()) throw new IllegalArgumentException("one --node-pids per port");
      if (!options.managementPorts().isEmpty() && options.managementPorts().size() != options.nodes()) {
        throw new IllegalArgumentException("one --management-ports per port, or none");
      }
      if (options.nodes() > 1 && options.phases().contains("idle")) {
        throw new IllegalArgumentException("the idle phase measures one node's heap: leave it out with several nodes");
      }
      if (options.stackBaseline() && !options.phases().equals(List.of("join"))) {
        throw new IllegalArgumentException("the stack baseline takes the join phase only: --phases=join");
      }
      return options;
    }

    int nodes() {
      return ports.size();
    }

    private static <T> List<T> list(String commaSeparated, java.util.function.Function<String, T> parse) {
      return commaSeparated.isBlank() ? List.of()
          : java.util.Arrays.stream(commaSeparated.split(",")).map(String::strip).map(parse).toList();
    }

    private static String required(Map<String, String> given, String name) {
      String value = given.get(name);
      if (value == null) throw new IllegalArgumentException("--" + name + "=... is required");
      return value;
    }

    private static int number(Map<String, String> given, String name, int otherwise) {
      return given.containsKey(name) ? Integer.parseInt(given.get(name)) : otherwise;
    }
  }

  /** A bench tenant: its widget key and its one agent's access token. */
  record Shop(int index, String tenantId, String widgetKey, String agentToken) {}

  /** A shopper's socket, the node it is connected to, its tenant and its current ticket. */
  static final class Shopper {
    final ProtocolSocket<WidgetEvent> socket;
    final int number;
    final int node;
    final Shop shop;
    volatile String ticketId;
    volatile int position;
    volatile long lastSent;

    Shopper(ProtocolSocket<WidgetEvent> socket, int number, int node, Shop shop) {
      this.socket = socket;
      this.number = number;
      this.node = node;
      this.shop = shop;
    }

    WidgetRequest.Join join() {
      return new WidgetRequest.Join("Shopper " + number, "shopper" + number + "@example.com", null, "en", null,
          "trail shoes", null, null, null);
    }
  }

  private final Options options;
  private final long started = System.nanoTime();
  private final ExecutorService socketThreads = Executors.newFixedThreadPool(4, daemon("socket"));
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("pace"));
  private final HttpClient[] clients;
  private final AtomicInteger nextClient = new AtomicInteger();
  private final BenchDatabase database;
  private final List<String> report = new ArrayList<>();
  /** The figures for {@code --summary}, as {@code key=value} lines (read by {@link Comparison}). */
  private final Map<String, String> figures = new java.util.LinkedHashMap<>();

  private QueueBenchmark(Options options) {
    this.options = options;
    this.clients = new HttpClient[options.clients()];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = HttpClient.newBuilder().executor(socketThreads).connectTimeout(Duration.ofSeconds(20)).build();
    }
    this.database = new BenchDatabase(options.dbUrl(), options.dbUser(), options.dbPassword());
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    new QueueBenchmark(options).run();
    System.exit(0);
  }

  private void run() throws Exception {
    log("load generator: %d HttpClients (one selector thread each); %d node(s): pids %s, HTTP ports %s",
        clients.length, options.nodes(), options.nodePids(), options.ports());
    figures.put("nodes", Integer.toString(options.nodes()));
    List<Shop> shops = setUp();
    idleCores();
    double joinsPerSecond = options.phases().contains("join") ? joinThroughput(shops) : Double.NaN;
    if (options.phases().contains("ceiling")) rawCeiling();
    Samples accept = options.phases().contains("waiting") ? waitingShoppers(shops) : new Samples("none");
    long held = options.phases().contains("idle") ? idleSockets(shops) : 0;
    log("done");
    System.out.println();
    System.out.println("==== Live queue benchmark: results" + (options.nodes() == 1 ? "" : ", " + options.nodes()
        + " nodes") + " ====");
    report.forEach(System.out::println);
    System.out.println();
    System.out.println("Aims (issue 4, point 10):");
    if (options.phases().contains("join")) {
      System.out.println(aim(joinsPerSecond >= 2000, String.format(Locale.ROOT, ">= 2,000 joins/s per node: %.0f"
          + " joins/s%s", joinsPerSecond, options.nodes() == 1 ? "" : " over " + options.nodes() + " nodes")));
    }
    if (options.phases().contains("waiting")) {
      double p99 = accept.percentileMillis(99);
      System.out.println(aim(p99 < 20, String.format(Locale.ROOT, "accept -> assigned p99 < 20 ms: %.1f ms", p99)));
    }
    if (options.phases().contains("idle")) {
      System.out.println(aim(held >= 10_000 && idleHeapAfter < (1L << 30), String.format(Locale.ROOT,
          "10,000 idle sockets with < 1 GiB heap: %d sockets, %.0f MiB heap", held, idleHeapAfter / 1048576.0)));
    }
    if (options.summary() != null) writeSummary(java.nio.file.Path.of(options.summary()));
  }

  private void writeSummary(java.nio.file.Path file) throws java.io.IOException {
    List<String> lines = new ArrayList<>();
    figures.forEach((key, value) -> lines.add(key + "=" + value));
    java.nio.file.Files.write(file, lines, StandardCharsets.UTF_8);
    log("figures written to %s", file);
  }

  private static String aim(boolean met, String what) {
    return (met ? "  [met]     " : "  [missed]  ") + what;
  }

  // ---------------------------------------------------------------------------------------------
  // Set-up through the admin API

  private List<Shop> setUp() throws Exception {
    if (options.stackBaseline()) {
      // StackBaseline knows no tenants, keys or agents: the key names the entity.
      log("stack baseline: %d tenants, the widget key naming each one's entity", options.tenants());
      List<Shop> shops = new ArrayList<>();
      for (int i = 0; i < options.tenants(); i++) {
        shops.add(new Shop(i, "t" + i, String.format(Locale.ROOT, "bench-shop-%03d", i), null));
      }
      return shops;
    }
    log("setting up %d tenants through the admin API (tenant, settings, widget key, agent invited, accepted,"
        + " signed in)", options.tenants());
    AdminApi api = new AdminApi("http://127.0.0.1:" + options.ports().get(0));
    String operator = api.login(options.operatorEmail(), options.operatorPassword());
    ExecutorService pool = Executors.newFixedThreadPool(4, daemon("setup"));
    try {
      List<Future<Shop>> futures = new ArrayList<>();
      for (int i = 0; i < options.tenants(); i++) {
        int index = i;
        futures.add(pool.submit(() -> {
          String slug = String.format(Locale.ROOT, "bench-shop-%03d", index);
          String tenantId = api.createTenant(operator, "Bench shop " + index, slug);
          api.openAllDay(operator, tenantId, MAX_LENGTH, RESERVATION_TIMEOUT_SECONDS, ORIGIN);
          String widgetKey = api.widgetKey(operator, tenantId, ORIGIN);
          String email = "agent@" + slug + ".example";
          api.invite(operator, tenantId, email, "agent");
          api.accept(database.mailedToken(email, "inv_"), "Agent of " + slug, PASSWORD);
          return new Shop(index, tenantId, widgetKey, api.login(email, PASSWORD));
        }));
      }
      List<Shop> shops = new ArrayList<>();
      for (Future<Shop> future : futures) shops.add(future.get());
      log("%d tenants ready", shops.size());
      return shops;
    } finally {
      pool.shutdown();
    }
  }

  /** What the nodes use with nothing to do (cluster gossip, projections, probes), as a baseline. */
  private void idleCores() throws InterruptedException {
    Processes.Cpu before = Processes.Cpu.now(options.nodePids());
    long from = System.nanoTime();
    Thread.sleep(3000);
    Processes.Cores cores = Processes.Cpu.now(options.nodePids()).since(before, seconds(from));
    report.add("0. Cores used for 3 s after the set-up, with no socket open: " + cores);
    putCores("idle.cores", cores);
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Joins per second

  private final Samples saturatedJoin = new Samples("join -> queued, during the join phase");
  private final AtomicLong joinsInWindow = new AtomicLong();
  private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> incidents = new ConcurrentHashMap<>();
  private final AtomicLong stalled = new AtomicLong();
  private volatile long windowFrom = Long.MAX_VALUE;
  private volatile long windowTo = Long.MAX_VALUE;

  private double joinThroughput(List<Shop> shops) throws Exception {
    int count = options.throughputSockets();
    log("join phase: opening %d widget sockets (%d per tenant)", count, count / shops.size());
    List<Shopper> shoppers = openShoppers(shops, count, 0);
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch finished = new CountDownLatch(shoppers.size());
    long frames0 = ProtocolSocket.FRAMES.get();
    log("join phase: join/leave cycles on every socket (at most one message per %d ms per socket, under the"
        + " socket rate limit), %d s warm-up then %d s measured", options.socketGapMillis(), options.warmupSeconds(),
        options.measureSeconds());
    long begin = System.nanoTime();
    windowFrom = begin + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
    windowTo = windowFrom + TimeUnit.SECONDS.toNanos(options.measureSeconds());
    for (Shopper shopper : shoppers) {
      // Spread the first joins over one gap so the sockets do not move in lock step.
      shopper.lastSent = begin - TimeUnit.MILLISECONDS.toNanos(options.socketGapMillis())
          + ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(options.socketGapMillis()));
      cycle(shopper, running, finished);
    }
    sleepUntil(windowFrom);
    long journal0 = database.journalRows();
    long framesFrom = ProtocolSocket.FRAMES.get();
    Processes.Cpu cpu0 = Processes.Cpu.now(options.nodePids());
    sleepUntil(windowTo);
    long journal1 = database.journalRows();
    long framesTo = ProtocolSocket.FRAMES.get();
    Processes.Cpu cpu1 = Processes.Cpu.now(options.nodePids());
    String spread = spread(shoppers);
    running.set(false);
    if (!finished.await(30, TimeUnit.SECONDS)) log("%d sockets did not finish their cycle", finished.getCount());
    shoppers.forEach(shopper -> shopper.socket.close());

    double seconds = options.measureSeconds();
    double joinsPerSecond = joinsInWindow.get() / seconds;
    double eventsPerSecond = (journal1 - journal0) / seconds;
    journalEventsPerSecond = eventsPerSecond;
    Processes.Cores cores = cpu1.since(cpu0, seconds);
    double cpuPerCycle = cpu1.nodeMillisPer(cpu0, joinsInWindow.get());
    double applicationPerCycle = cpu1.applicationMillisPer(cpu0, joinsInWindow.get());
    report.add(String.format(Locale.ROOT, "1. Join throughput (%d sockets over %d tenants, %d s measured after %d s"
        + " warm-up):", shoppers.size(), shops.size(), options.measureSeconds(), options.warmupSeconds()));
    if (spread != null) report.add("   " + spread);
    report.add(String.format(Locale.ROOT, "   joins/s sustained        %8.0f   (%d joins answered `queued` in the window)",
        joinsPerSecond, joinsInWindow.get()));
    report.add(String.format(Locale.ROOT, "   journal events/s         %8.0f   (%d rows; a join/leave cycle is 2 events)",
        eventsPerSecond, journal1 - journal0));
    report.add(String.format(Locale.ROOT, "   frames/s to the sockets  %8.0f   (queued, left, position)",
        (framesTo - framesFrom) / seconds));
    report.add("   cores used in the window: " + cores);
    report.add(String.format(Locale.ROOT, "   %s CPU per join/leave cycle %.2f ms (less sensitive to the machine's other"
        + " load than joins/s); %.2f ms without JIT compilation and GC and VM threads", options.nodes() == 1 ? "node"
        : "nodes'", cpuPerCycle, applicationPerCycle));
    report.add("   " + saturatedJoin.summary());
    figures.put("join.sockets", Integer.toString(shoppers.size()));
    figures.put("join.per-second", number(joinsPerSecond));
    figures.put("join.node-cpu-ms-per-cycle", number(cpuPerCycle));
    figures.put("join.application-cpu-ms-per-cycle", number(applicationPerCycle));
    putCores("join.cores", cores);
    saturatedJoin.putInto(figures, "join.saturated");
    if (!refusals.isEmpty() || stalled.get() > 0) {
      report.add("   refused or failed: " + refusals + ", sockets stopped on a time-out or close: " + stalled.get());
    }
    log("join phase: %.0f joins/s, %.0f journal events/s, %d frames received in all", joinsPerSecond,
        eventsPerSecond, ProtocolSocket.FRAMES.get() - frames0);
    return joinsPerSecond;
  }

  private void cycle(Shopper shopper, AtomicBoolean running, CountDownLatch finished) {
    if (!running.get()) {
      finished.countDown();
      return;
    }
    paced(shopper, () -> {
      var answer = shopper.socket.expect(event -> event instanceof WidgetEvent.Queued
          || event instanceof WidgetEvent.Refused || event instanceof ErrorMessage);
      long sent = shopper.socket.send(WidgetRequest.class, shopper.join());
      shopper.lastSent = sent;
      answer.whenComplete((received, failure) -> {
        if (failure != null) {
          stalled.incrementAndGet();
          finished.countDown();
          return;
        }
        if (received.event() instanceof WidgetEvent.Queued) {
          if (received.at() >= windowFrom && received.at() < windowTo) joinsInWindow.incrementAndGet();
          if (sent >= windowFrom && sent < windowTo) saturatedJoin.add(received.at() - sent);
          leave(shopper, running, finished);
        } else {
          String code = received.event() instanceof WidgetEvent.Refused refused ? refused.code()
              : ((ErrorMessage) received.event()).code();
          refusals.computeIfAbsent("join: " + code, c -> new AtomicLong()).incrementAndGet();
          // The socket still holds a ticket (an earlier leave was not answered in time): leave first.
          if ("already_queued".equals(code)) leave(shopper, running, finished);
          else cycle(shopper, running, finished);
        }
      });
    });
  }

  private void leave(Shopper shopper, AtomicBoolean running, CountDownLatch finished) {
    paced(shopper, () -> {
      var left = shopper.socket.expect(event -> event instanceof WidgetEvent.Left || event instanceof ErrorMessage);
      shopper.lastSent = shopper.socket.send(WidgetRequest.class, new WidgetRequest.Leave());
      left.whenComplete((received, failure) -> {
        if (failure != null) {
          stalled.incrementAndGet();
          finished.countDown();
          return;
        }
        if (received.event() instanceof ErrorMessage error) {
          refusals.computeIfAbsent("leave: " + error.code(), c -> new AtomicLong()).incrementAndGet();
          // Unanswered in time (`unavailable`): the ticket may still be there, so leave again.
          if (!"not_in_queue".equals(error.code())) {
            leave(shopper, running, finished);
            return;
          }
        }
        cycle(shopper, running, finished);
      });
    });
  }

  /** Runs the send no sooner than one gap after the socket's previous message. */
  private void paced(Shopper shopper, Runnable send) {
    long wait = shopper.lastSent + TimeUnit.MILLISECONDS.toNanos(options.socketGapMillis()) - System.nanoTime();
    scheduler.schedule(send, Math.max(0, wait), TimeUnit.NANOSECONDS);
  }

  // ---------------------------------------------------------------------------------------------
  // 2. The database's raw ceiling

  private double journalEventsPerSecond;

  private void rawCeiling() throws Exception {
    BenchDatabase.RowShape shape = database.queueJournalRowShape();
    log("raw PostgreSQL ceiling: journal rows are %s", shape);
    List<BenchDatabase.Ceiling> runs = new ArrayList<>();
    // {1, 1}: one row per commit, the latency floor of a single persist.
    for (int[] config : new int[][] {{1, 1}, {1, 400}, {4, 100}, {8, 400}}) {
      BenchDatabase.Ceiling run = database.rawInsertCeiling(shape, config[0], config[1], options.ceilingMillis());
      log("raw PostgreSQL ceiling: %d writer(s) x batches of %d rows: %.0f rows/s", run.writers(), run.batchSize(),
          run.rowsPerSecond());
      runs.add(run);
    }
    BenchDatabase.Ceiling best = runs.stream()
        .max(java.util.Comparator.comparingDouble(BenchDatabase.Ceiling::rowsPerSecond)).orElseThrow();
    report.add(String.format(Locale.ROOT, "2. Raw PostgreSQL ceiling (batched INSERTs, reWriteBatchedInserts=true, rows"
        + " of %d bytes like the journal's, scratch table shaped like event_journal):", shape.wholeRow()));
    for (BenchDatabase.Ceiling run : runs) {
      report.add(String.format(Locale.ROOT, "   %d writer(s) x %3d rows per batch %9.0f rows/s%s", run.writers(),
          run.batchSize(), run.rowsPerSecond(), run.batchSize() == 1
              ? String.format(Locale.ROOT, "   (one commit every %.2f ms)", 1000 / run.rowsPerSecond()) : ""));
    }
    report.add(String.format(Locale.ROOT, "   the journal's %.0f events/s during the join phase = %.1f %% of the best"
        + " (%.0f rows/s)", journalEventsPerSecond, 100 * journalEventsPerSecond / best.rowsPerSecond(),
        best.rowsPerSecond()));
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Latencies with waiting shoppers

  private Samples waitingShoppers(List<Shop> shops) throws Exception {
    int perTenant = options.waitingPerTenant();
    log("waiting shoppers: opening %d widget sockets (%d per tenant)", perTenant * shops.size(), perTenant);
    List<Shopper> all = openShoppers(shops, perTenant * shops.size(), 1_000_000);
    List<List<Shopper>> queues = new ArrayList<>();
    for (int t = 0; t < shops.size(); t++) queues.add(new ArrayList<>());
    for (Shopper shopper : all) queues.get(shopper.shop.index()).add(shopper);

    Processes.Cpu cpu0 = Processes.Cpu.now(options.nodePids());
    long measuring = System.nanoTime();
    Samples join = new Samples("(a) join -> queued");
    List<Placed> joins = java.util.Collections.synchronizedList(new ArrayList<>());
    log("waiting shoppers: %d joins at %d/s, tenant after tenant", all.size(), options.joinRate());
    long phase = System.nanoTime();
    List<CompletableFuture<?>> answers = new ArrayList<>();
    long interval = TimeUnit.SECONDS.toNanos(1) / options.joinRate();
    for (int round = 0; round < perTenant; round++) {
      for (List<Shopper> queue : queues) {
        if (round >= queue.size()) continue;
        Shopper shopper = queue.get(round);
        CompletableFuture<Void> answered = new CompletableFuture<>();
        answers.add(answered);
        scheduler.schedule(() -> {
          var queued = shopper.socket.expect(WidgetEvent.Queued.class);
          long sent = shopper.socket.send(WidgetRequest.class, shopper.join());
          queued.whenComplete((received, failure) -> {
            if (failure != null) {
              incident("join not answered `queued`: " + cause(failure));
            } else {
              join.add(received.at() - sent);
              joins.add(new Placed(shopper.shop, shopper.node, Placed.NONE, received.at() - sent));
              shopper.ticketId = received.event().ticketId();
              shopper.position = received.event().position();
            }
            answered.complete(null);
          });
        }, answers.size() * interval, TimeUnit.NANOSECONDS);
      }
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    // The order the queue holds them in, whatever order the answers came in; unanswered joins left out.
    for (List<Shopper> queue : queues) {
      queue.removeIf(shopper -> shopper.ticketId == null);
      queue.sort(java.util.Comparator.comparingInt(shopper -> shopper.position));
    }
    double joinSeconds = seconds(phase);
    // Every queue has answered a join, so it has a home now.
    ShardPlacement placedAfterJoins = placement();

    Samples fanOut = new Samples("(c) head leaves -> all others' `position`");
    Samples rejoin = new Samples("    (re-join at the tail -> queued)");
    log("waiting shoppers: position fan-out, %d rounds per tenant (pause 0-%d ms), tenants concurrently",
        options.fanOutRounds(), options.fanOutPauseMillis());
    phase = System.nanoTime();
    List<CompletableFuture<Void>> tenants = new ArrayList<>();
    for (List<Shopper> queue : queues) tenants.add(fanOutRounds(queue, options.fanOutRounds(), fanOut, rejoin));
    CompletableFuture.allOf(tenants.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    double fanOutSeconds = seconds(phase);

    Samples accept = new Samples("(b) agent accept -> shopper `assigned`");
    Samples agentSide = new Samples("    (agent accept -> agent `assigned`)");
    List<Placed> accepts = java.util.Collections.synchronizedList(new ArrayList<>());
    log("waiting shoppers: one agent per tenant goes available, accepts each offer (after 0-%d ms), finishes the"
        + " call; until every shopper is assigned", options.acceptPauseMillis());
    Map<String, Shopper> byTicket = new HashMap<>();
    queues.forEach(queue -> queue.forEach(shopper -> byTicket.put(shopper.ticketId, shopper)));
    phase = System.nanoTime();
    List<ProtocolSocket<ConsoleEvent>> agents = new ArrayList<>();
    List<CompletableFuture<Void>> served = new ArrayList<>();
    for (Shop shop : shops) {
      int node = shop.index() % options.nodes();
      ProtocolSocket<ConsoleEvent> agent = ProtocolSocket.open(client(), uri(node, "/ws/agent"), null,
          shop.agentToken(), ConsoleEvent.class).get(30, TimeUnit.SECONDS);
      agents.add(agent);
      if (queues.get(shop.index()).isEmpty()) continue;
      served.add(serve(agent, byTicket, queues.get(shop.index()).size(), (shopper, sample) -> {
        accept.add(sample);
        accepts.add(new Placed(shop, node, shopper.node, sample));
      }, agentSide).exceptionally(failure -> {
        incident("agent stopped serving: " + cause(failure));
        return null;
      }));
    }
    CompletableFuture.allOf(served.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    double acceptSeconds = seconds(phase);
    Processes.Cores cores = Processes.Cpu.now(options.nodePids()).since(cpu0, seconds(measuring));
    agents.forEach(ProtocolSocket::close);
    all.forEach(shopper -> shopper.socket.close());

    report.add(String.format(Locale.ROOT, "3. Latencies with %d waiting shoppers (%d tenants x %d), measured at the"
        + " generator:", all.size(), shops.size(), perTenant));
    report.add("   " + join.summary() + rate(join, joinSeconds));
    report.add("   " + fanOut.summary() + rate(fanOut, fanOutSeconds));
    report.add("   " + rejoin.summary());
    report.add("   " + accept.summary() + rate(accept, acceptSeconds));
    report.add("   " + agentSide.summary());
    if (placedAfterJoins != null) {
      ShardPlacement placedAtEnd = placement();
      if (placedAtEnd != null) byCrossings(shops, joins, accepts, placedAfterJoins, placedAtEnd);
    }
    if (!incidents.isEmpty()) report.add("   incidents (left out of the samples): " + incidents);
    report.add("   cores used meanwhile: " + cores);
    figures.put("a.offered", Integer.toString(answers.size()));
    figures.put("a.offered-per-second", Integer.toString(options.joinRate()));
    join.putInto(figures, "a");
    fanOut.putInto(figures, "c");
    accept.putInto(figures, "b");
    agentSide.putInto(figures, "b.agent");
    putCores("waiting.cores", cores);
    return accept;
  }

  /** A latency sample and the nodes of the sockets at its ends (or {@link #NONE}). */
  private record Placed(Shop shop, int from, int to, long nanos) {
    static final int NONE = -2;

    /** Node boundaries crossed on the way through the tenant's queue on {@code queueNode}. */
    int crossed(int queueNode) {
      return (from != NONE && from != queueNode ? 1 : 0) + (to != NONE && to != queueNode ? 1 : 0);
    }
  }

  /**
   * (a) and (b) split by the node boundaries their path crossed: socket to the queue's node and,
   * for (b), the queue's node to the shopper's socket. Only tenants whose queue was on the same
   * node after the joins and at the end are counted.
   */
  private void byCrossings(List<Shop> shops, List<Placed> joins, List<Placed> accepts, ShardPlacement afterJoins,
      ShardPlacement atEnd) {
    Set<String> stable = new HashSet<>();
    for (Shop shop : shops) {
      int node = afterJoins.nodeOf(shop.tenantId());
      if (node != ShardPlacement.UNKNOWN && node == atEnd.nodeOf(shop.tenantId())) stable.add(shop.tenantId());
    }
    Samples[] join = {new Samples("    socket on its queue's node"), new Samples("    socket on another node")};
    Samples[] accept = {new Samples("    agent, queue and shopper on one node"),
        new Samples("    one node boundary crossed"), new Samples("    two (agent -> queue -> shopper)")};
    for (Placed sample : List.copyOf(joins)) {
      if (stable.contains(sample.shop().tenantId())) {
        join[sample.crossed(afterJoins.nodeOf(sample.shop().tenantId()))].add(sample.nanos());
      }
    }
    for (Placed sample : List.copyOf(accepts)) {
      if (stable.contains(sample.shop().tenantId())) {
        accept[sample.crossed(afterJoins.nodeOf(sample.shop().tenantId()))].add(sample.nanos());
      }
    }
    report.add(String.format(Locale.ROOT, "   split by node boundaries crossed (where each queue lived, from every"
        + " node's /cluster/shards/TenantQueue; %d of %d queues stayed on one node throughout):", stable.size(),
        shops.size()));
    report.add("   (a) join -> queued");
    for (int crossed = 0; crossed < join.length; crossed++) {
      report.add("   " + join[crossed].summary());
      join[crossed].putInto(figures, "a.crossed-" + crossed);
    }
    report.add("   (b) agent accept -> shopper `assigned`");
    for (int crossed = 0; crossed < accept.length; crossed++) {
      report.add("   " + accept[crossed].summary());
      accept[crossed].putInto(figures, "b.crossed-" + crossed);
    }
  }

  private CompletableFuture<Void> fanOutRounds(List<Shopper> queue, int rounds, Samples fanOut, Samples rejoin) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int r = 0; r < rounds; r++) {
      chain = chain.thenCompose(done -> pause(options.fanOutPauseMillis()))
          .thenCompose(done -> queue.size() < 2 ? CompletableFuture.completedFuture(null)
              : headLeaves(queue, fanOut, rejoin));
    }
    return chain.exceptionally(failure -> {
      incident("fan-out rounds stopped: " + cause(failure));
      return null;
    });
  }

  /**
   * The head leaves; every other socket of the tenant must see its position go down by one (tickets
   * of unanswered joins may stand in front); then the head joins again at the tail.
   */
  private CompletableFuture<Void> headLeaves(List<Shopper> queue, Samples fanOut, Samples rejoin) {
    Shopper head = queue.remove(0);
    List<CompletableFuture<ProtocolSocket.Received<WidgetEvent>>> moved = new ArrayList<>();
    for (Shopper shopper : queue) {
      int newPosition = shopper.position - 1;
      moved.add(shopper.socket.expect(event -> event instanceof WidgetEvent.Position position
          && position.position() == newPosition));
    }
    var left = head.socket.expect(WidgetEvent.Left.class);
    long sent = head.socket.send(WidgetRequest.class, new WidgetRequest.Leave());
    List<CompletableFuture<?>> all = new ArrayList<>(moved);
    all.add(left);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenCompose(done -> {
      long last = moved.stream().mapToLong(update -> update.join().at()).max().orElse(left.join().at());
      fanOut.add(last - sent);
      queue.forEach(shopper -> shopper.position--);
      var queued = head.socket.expect(WidgetEvent.Queued.class);
      long joined = head.socket.send(WidgetRequest.class, head.join());
      return queued.thenAccept(received -> {
        rejoin.add(received.at() - joined);
        head.ticketId = received.event().ticketId();
        head.position = received.event().position();
        queue.add(head);
      });
    });
  }

  /** An agent goes available and accepts offers one after the other, finishing each call at once. */
  private CompletableFuture<Void> serve(ProtocolSocket<ConsoleEvent> agent, Map<String, Shopper> byTicket, int calls,
      ObjLongConsumer<Shopper> accept, Samples agentSide) {
    var offer = agent.expect(ConsoleEvent.Offer.class);
    agent.expect(event -> event instanceof ConsoleEvent.Done done && done.request().equals("presence"));
    agent.send(ConsoleRequest.class, new ConsoleRequest.SetPresence("available", List.of("en"), null));
    return offer.thenCompose(received -> acceptEach(agent, received.event(), byTicket, calls, accept, agentSide));
  }

  /**
   * Accepts this offer and the next ones until {@code left} of the benchmark's shoppers are
   * assigned. A ticket no socket knows (its join was not answered in time) is served too, unmeasured.
   */
  private CompletableFuture<Void> acceptEach(ProtocolSocket<ConsoleEvent> agent, ConsoleEvent.Offer offer,
      Map<String, Shopper> byTicket, int left, ObjLongConsumer<Shopper> accept, Samples agentSide) {
    Shopper shopper = byTicket.get(offer.ticket().ticketId());
    if (shopper == null) incident("ticket of an unanswered join offered, served unmeasured");
    int stillLeft = shopper == null ? left : left - 1;
    return pause(options.acceptPauseMillis()).thenCompose(paused -> {
      var agentAssigned = agent.expect(ConsoleEvent.Assigned.class);
      if (shopper == null) {
        agent.send(ConsoleRequest.class, new ConsoleRequest.Accept(offer.reservationId()));
        return agentAssigned;
      }
      var shopperAssigned = shopper.socket.expect(WidgetEvent.Assigned.class);
      long sent = agent.send(ConsoleRequest.class, new ConsoleRequest.Accept(offer.reservationId()));
      return shopperAssigned.thenCombine(agentAssigned, (s, a) -> {
        accept.accept(shopper, s.at() - sent);
        agentSide.add(a.at() - sent);
        return a;
      });
    }).thenCompose(assigned -> {
      if (stillLeft == 0) return CompletableFuture.completedFuture(null);
      var next = agent.expect(ConsoleEvent.Offer.class);
      agent.expect(event -> event instanceof ConsoleEvent.Done done && done.request().equals("finish-call"));
      agent.send(ConsoleRequest.class, new ConsoleRequest.FinishCall());
      return next.thenCompose(received -> acceptEach(agent, received.event(), byTicket, stillLeft, accept,
          agentSide));
    });
  }

  // ---------------------------------------------------------------------------------------------
  // 4. Idle sockets and heap

  private long idleHeapAfter;

  private long idleSockets(List<Shop> shops) throws Exception {
    Thread.sleep(2000); // let the closed sockets of the phases before end on the node
    long before = Processes.heapAfterGc(options.nodePids().get(0));
    log("idle sockets: node heap after a full GC %.1f MiB; opening %d widget sockets", before / 1048576.0,
        options.idleSockets());
    long opening = System.nanoTime();
    List<Shopper> idle = openShoppers(shops, options.idleSockets(), 2_000_000);
    double openSeconds = (System.nanoTime() - opening) / 1e9;
    Thread.sleep(3000);
    long held = idle.stream().filter(shopper -> shopper.socket.isOpen()).count();
    long after = Processes.heapAfterGc(options.nodePids().get(0));
    idleHeapAfter = after;
    long stillOpen = idle.stream().filter(shopper -> shopper.socket.isOpen()).count();
    log("idle sockets: %d open, heap after a full GC %.1f MiB", stillOpen, after / 1048576.0);
    idle.forEach(shopper -> shopper.socket.close());
    report.add(String.format(Locale.ROOT, "4. Idle widget sockets (connected, `hello` received, not queued), %d asked"
        + " for:", options.idleSockets()));
    report.add(String.format(Locale.ROOT, "   held                     %8d   (opened in %.1f s, %.0f/s; %d still open"
        + " after the GCs)", held, openSeconds, idle.size() / openSeconds, stillOpen));
    report.add(String.format(Locale.ROOT, "   node heap after full GC  %8.1f MiB before, %.1f MiB with them", before / 1048576.0,
        after / 1048576.0));
    report.add(String.format(Locale.ROOT, "   heap per socket          %8.1f KiB", (after - before) / 1024.0 / Math.max(1, held)));
    return held;
  }

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  /**
   * Opens widget sockets spread over the tenants round-robin, and over the nodes: the {@code k}-th
   * socket of tenant {@code t} goes to node {@code (t + k) mod n}. Those that fail are counted and
   * left out.
   */
  private List<Shopper> openShoppers(List<Shop> shops, int count, int firstNumber) throws Exception {
    Semaphore permits = new Semaphore(options.connectConcurrency());
    List<CompletableFuture<ProtocolSocket<WidgetEvent>>> opening = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      permits.acquire();
      Shop shop = shops.get(i % shops.size());
      URI uri = uri(nodeOf(i, shops.size()), "/ws/widget?key=" + URLEncoder.encode(shop.widgetKey(),
          StandardCharsets.UTF_8));
      opening.add(ProtocolSocket.open(client(), uri, ORIGIN, WidgetEvent.class)
          .whenComplete((socket, failure) -> permits.release()));
    }
    List<Shopper> shoppers = new ArrayList<>();
    Map<String, Integer> failures = new HashMap<>();
    for (int i = 0; i < opening.size(); i++) {
      try {
        shoppers.add(new Shopper(opening.get(i).get(60, TimeUnit.SECONDS), firstNumber + i, nodeOf(i, shops.size()),
            shops.get(i % shops.size())));
      } catch (Exception e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        failures.merge(cause.getClass().getSimpleName() + ": " + cause.getMessage(), 1, Integer::sum);
      }
    }
    if (!failures.isEmpty()) log("%d sockets did not open: %s", count - shoppers.size(), failures);
    return shoppers;
  }

  private int nodeOf(int socket, int tenants) {
    return (socket % tenants + socket / tenants) % options.nodes();
  }

  private URI uri(int node, String pathAndQuery) {
    return URI.create("ws://127.0.0.1:" + options.ports().get(node) + pathAndQuery);
  }

  /** Where the tenants' queues live now; null with one node, or when the nodes cannot tell. */
  private ShardPlacement placement() {
    if (options.nodes() == 1 || options.managementPorts().isEmpty()) return null;
    try {
      return ShardPlacement.read(options.managementPorts());
    } catch (Exception e) {
      log("could not read where the queues live (%s); latencies are not split by node boundaries crossed", e);
      return null;
    }
  }

  /** With several nodes: sockets and queues per node, and the share of sockets not on their queue's node. */
  private String spread(List<Shopper> shoppers) {
    ShardPlacement placement = placement();
    if (placement == null) return null;
    int[] sockets = new int[options.nodes()];
    int[] queues = new int[options.nodes()];
    int unknown = 0;
    long away = 0;
    for (Shopper shopper : shoppers) {
      sockets[shopper.node]++;
      int queue = placement.nodeOf(shopper.shop.tenantId());
      if (queue != ShardPlacement.UNKNOWN && queue != shopper.node) away++;
    }
    for (Shop shop : shoppers.stream().map(shopper -> shopper.shop).distinct().toList()) {
      int node = placement.nodeOf(shop.tenantId());
      if (node == ShardPlacement.UNKNOWN) unknown++;
      else queues[node]++;
    }
    figures.put("join.sockets-off-their-queue-node-percent", number(100.0 * away / shoppers.size()));
    return String.format(Locale.ROOT, "sockets per node %s, tenants' queues per node %s%s; %.0f %% of the sockets are"
        + " on another node than their tenant's queue", joined(sockets), joined(queues),
        unknown == 0 ? "" : " (" + unknown + " not reported: a shard that does not answer its region within 3 s is left"
        + " out)", 100.0 * away / shoppers.size());
  }

  private static String joined(int[] counts) {
    return java.util.Arrays.stream(counts).mapToObj(Integer::toString)
        .collect(java.util.stream.Collectors.joining("/"));
  }

  private void putCores(String key, Processes.Cores cores) {
    figures.put(key + ".nodes", number(cores.nodes()));
    figures.put(key + ".jit", number(cores.jit()));
    figures.put(key + ".gc", number(cores.gc()));
    figures.put(key + ".postgres", number(cores.postgres()));
    figures.put(key + ".generator", number(cores.generator()));
    figures.put(key + ".others", number(cores.others()));
  }

  static String number(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  /** Something that went wrong in phase 3 and was left out of the samples; counted and reported. */
  private void incident(String what) {
    incidents.computeIfAbsent(what, key -> new AtomicLong()).incrementAndGet();
  }

  private static String cause(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof java.util.concurrent.CompletionException
        || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }

  private HttpClient client() {
    return clients[Math.floorMod(nextClient.getAndIncrement(), clients.length)];
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** The load a latency was measured under. */
  private static String rate(Samples samples, double seconds) {
    return String.format(Locale.ROOT, "  (%.0f/s)", samples.count() / seconds);
  }

  private static CompletableFuture<Void> pause(int maxMillis) {
    long millis = maxMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(maxMillis + 1L);
    return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
  }

  private void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - started) / 1e9, String.format(Locale.ROOT,
        format, args));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "bench-" + name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
