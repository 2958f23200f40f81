package io.videoshop.node;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.videoshop.access.SocketTicketRoutes;
import io.videoshop.config.ClusterSettings;
import io.videoshop.config.SettingsException;
import io.videoshop.config.VideoShopSettings;
import io.videoshop.http.RequestIds;
import io.videoshop.http.HttpServer;
import io.videoshop.http.LiveSockets;
import io.videoshop.http.ApiRoute;
import io.videoshop.metrics.HttpMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.videoshop.metrics.JournalLatencyProbe;
import io.videoshop.metrics.NodeMetrics;
import io.videoshop.metrics.ShardingMetrics;
import io.videoshop.persistence.SharedDatabase;
import io.videoshop.queue.QueueSockets;
import io.videoshop.room.CallMinuteBilling;
import io.videoshop.room.CallRoom;
import io.videoshop.reporting.QueueReportProjection;
import io.videoshop.push.OfferPushProjection;
import io.videoshop.room.CallsProjection;
import io.videoshop.room.RoomSweeper;
import io.videoshop.room.IceServers;
import io.videoshop.room.RoomSockets;
import io.videoshop.queue.TenantQueue;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.scheduling.BookingsProjection;
import io.videoshop.wallet.LedgerProjection;
import io.videoshop.wallet.Wallet;
import io.videoshop.web.WebPages;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running VideoShop node: the actor system in its cluster, the shared database (migrated),
 * Pekko Management (health checks, cluster bootstrap), the sharded entities, and the HTTP server.
 * {@link Main} starts one; tests start several.
 */
public final class VideoShopNode {
  public static final String SYSTEM_NAME = "videoshop";
  private static final Logger log = LoggerFactory.getLogger(VideoShopNode.class);
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<Void> system;
  private final VideoShopSettings settings;
  private final Platform platform;
  private final ServerBinding binding;
  private final int managementPort;

  private VideoShopNode(ActorSystem<Void> system, VideoShopSettings settings, Platform platform,
      ServerBinding binding, int managementPort) {
    this.system = system;
    this.settings = settings;
    this.platform = platform;
    this.binding = binding;
    this.managementPort = managementPort;
  }

  /**
   * Starts a node from a resolved config and returns once it listens. The database is reached and
   * migrated before anything else; when that fails the actor system is stopped and the failure
   * (a {@link io.videoshop.persistence.DatabaseUnavailableException}) is thrown.
   */
  public static VideoShopNode start(Config config) {
    return start(config, java.time.Clock.systemUTC());
  }

  /**
   * As {@link #start(Config)} with the clock of the node's services (outbox, mails, links, tokens)
   * and of the booking calendars (their deadlines are outbox rows due by it); the other entities
   * keep the system clock. Tests move it to reach a due time.
   */
  public static VideoShopNode start(Config config, java.time.Clock clock) {
    VideoShopSettings settings = VideoShopSettings.from(config);
    settings.cluster().transportProblem().ifPresent(problem -> {
      throw new SettingsException(List.of(problem));
    });
    // The projections' SQL dialect follows the database the node runs on.
    Config withDialect = ConfigFactory.parseString("pekko.projection.jdbc.dialect = "
        + lowerCase(settings.database().kind()) + "-dialect").withFallback(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, withDialect);
    try {
      SharedDatabase.get(system);
      // Before joining: cluster bootstrap's contact point is the management server.
      int managementPort = startManagement(system);
      joinCluster(system, settings.cluster());
      registerEntities(system, settings, clock);
      LedgerProjection.init(system);
      Platform platform = new Platform(system, settings, clock);
      var callSummaries = new io.videoshop.notification.CallSummaries(platform.mails,
          SharedDatabase.get(system).personalDataVault());
      CallsProjection.init(system, callSummaries);
      BookingsProjection.init(system, new io.videoshop.scheduling.BookingMails(platform.mails, platform.outbox,
          SharedDatabase.get(system).personalDataVault(), platform.bookingLinks, platform.tenants,
          settings.notifications().mail().fromAddress(), platform.clock));
      QueueReportProjection.init(system, callSummaries);
      io.videoshop.reporting.BookingReports.init(system);
      io.videoshop.notification.WalletMailProjection.init(system, platform.mails, platform.clock);
      CallMinuteBilling.init(system, platform.wallets, platform.tenants, platform.blocking.executor());
      RoomSweeper.start(system, platform.jdbi, platform.clock, settings.calls().reconnectGrace(),
          settings.calls().sweepInterval(), platform.blocking.executor());
      OfferPushProjection.init(system, platform.outbox, platform.clock, platform.deliveryWorkers::nudge);
      // A booked shopper's arrival and call: the calendar hears of them, the booked agent gets a push.
      io.videoshop.scheduling.BookedArrivalsProjection.init(system, platform.calendars,
          settings.scheduling().askTimeout(), platform.outbox, platform.clock, platform.deliveryWorkers::nudge);
      // The calendars' deadlines (no-show checks) and the agents' console notices are outbox rows too.
      platform.deliveryWorkers.register(new io.videoshop.scheduling.CalendarChannel(platform.calendars,
          settings.scheduling().askTimeout()));
      platform.deliveryWorkers.register(
          io.videoshop.scheduling.AppointmentNotices.get(system).channel(platform.clock));
      io.videoshop.webhook.WebhookEventProjection.init(system, platform.webhookDeliveries, platform.clock);
      startDelivery(system, platform);
      var vault = SharedDatabase.get(system).personalDataVault();
      if (vault.masterKeys().isDevelopment()) {
        log.warn("*** videoshop.privacy.master-key is not set: the demo profile wraps personal data keys under a "
            + "DEVELOPMENT key that anyone can derive. Never keep real personal data like this: set "
            + "VIDEOSHOP_MASTER_KEY (k1:$(openssl rand -base64 32)). ***");
      }
      io.videoshop.privacy.MasterKeyRotation.start(system, vault, Duration.ofMinutes(1), platform.blocking.executor());
      if (settings.auth().jwtSecret().isEmpty()) {
        log.warn("videoshop.auth.jwt-secret is not set: access tokens are signed with a random key and stop "
            + "working when this node restarts; other nodes will not accept them. Set VIDEOSHOP_JWT_SECRET.");
      }
      ServerBinding binding = HttpServer.bind(system, settings.http(), routes(system, platform))
          .toCompletableFuture()
          .get(BIND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      VideoShopNode node = new VideoShopNode(system, settings, platform, binding, managementPort);
      platform.firstStart.run(settings.bootstrap(), settings.profile() == VideoShopSettings.Profile.DEMO,
          "http://" + ("0.0.0.0".equals(settings.http().host()) ? "localhost" : settings.http().host()) + ":"
              + node.httpPort());
      log.info("VideoShop node {} listening on http://{}:{} (management: {}:{}, discovery: {}, database: {}, "
              + "profile: {})",
          system.address(), settings.http().host(), node.httpPort(), settings.management().host(), managementPort,
          lowerCase(settings.cluster().discovery()), lowerCase(settings.database().kind()),
          lowerCase(settings.profile()));
      int callbackPool = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism();
      if (callbackPool < 2) {
        log.warn("The common pool's parallelism is {}: every callback of a Pekko future starts a thread of its own. "
            + "Start the JVM with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 or more.",
            callbackPool);
      } else {
        log.info("Callbacks of Pekko futures run on the common pool (parallelism {})", callbackPool);
      }
      return node;
    } catch (Exception e) {
      system.terminate();
      awaitQuietly(system.getWhenTerminated());
      if (e instanceof RuntimeException runtime) throw runtime;
      throw new IllegalStateException("node did not start: " + e.getMessage(), e);
    }
  }

  /** Each domain's sharded entities; a message to one starts it on whichever node sharding picks. */
  private static void registerEntities(ActorSystem<?> system, VideoShopSettings settings, java.time.Clock clock) {
    TenantQueue.init(system);
    CallRoom.init(system, new CallRoom.Timings(settings.calls().reconnectGrace(), settings.calls().noShowTimeout(),
        settings.calls().balanceGrace()));
    Wallet.init(system, settings.billing().lowBalanceMinutes());
    BookingCalendar.init(system, clock);
    MeterRegistry registry = NodeMetrics.get(system).registry();
    ShardingMetrics.watch(system, registry, List.of(TenantQueue.ENTITY_KEY, CallRoom.ENTITY_KEY, Wallet.ENTITY_KEY,
        BookingCalendar.ENTITY_KEY));
    JournalLatencyProbe.start(system, registry);
  }

  private static Route routes(ActorSystem<?> system, Platform platform) {
    NodeMetrics metrics = NodeMetrics.get(system);
    SharedDatabase.get(system).reportPoolMetricsTo(metrics.registry());
    LiveSockets.get(system); // its shutdown task exists from the start, sockets or not
    QueueSockets queueSockets = new QueueSockets(system, platform.tenants, platform.wallets, platform.widgetKeys,
        platform.accessTokens, platform.roomTokens, SharedDatabase.get(system).personalDataVault(), platform.blocking, platform.clock,
        platform.sessions, platform.socketTickets, platform.settings.http().trustedProxies(), platform.settings.widget(),
        tenantId -> platform.blocking.run(() -> platform.reports.today(tenantId)),
        new io.videoshop.scheduling.BookingArrivals(platform.bookingLinks, platform.calendars, platform.clock),
        platform.consents);
    RoomSockets roomSockets = new RoomSockets(system, platform.roomTokens,
        new IceServers(platform.settings.calls(), platform.clock), platform.tenants,
        SharedDatabase.get(system).personalDataVault(), platform.blocking, platform.settings.http().trustedProxies(),
        platform.sessions, platform.socketTickets);
    Route all = RequestIds.route(platform.settings.http().trustedProxies(), () -> concat(
        HealthRoutes.route(new Readiness(system)), SocketTicketRoutes.preflight(),
        io.videoshop.scheduling.PublicBookingRoutes.crossOrigin(platform.api::route), platform.api.route(),
        queueSockets.route(),
        roomSockets.route(), new WebPages(platform.tenants, platform.widgetKeys, platform.blocking).route(),
        io.videoshop.notification.MailLinkPages.route()));
    return HttpMetrics.timed(metrics.registry(), platform.api.table().stream().map(ApiRoute::path).toList(), all.seal());
  }

  /**
   * The outbox's delivery workers: stopped gracefully (deliveries in flight finish) before the
   * database pool closes; on a crash-like termination they halt and their leases simply run out.
   */
  private static void startDelivery(ActorSystem<?> system, Platform platform) {
    var mail = platform.settings.notifications().mail();
    if (mail.transport() == io.videoshop.config.NotificationSettings.Transport.SMTP && mail.smtp().host().isEmpty()) {
      platform.deliveryWorkers.unregister(io.videoshop.notification.Outbox.MAIL);
      log.warn("videoshop.notifications.mail.smtp.host is not set: mail waits in the outbox until it is "
          + "(set VIDEOSHOP_SMTP_HOST, or VIDEOSHOP_MAIL_TRANSPORT=file for a local folder)");
    } else if (mail.transport() == io.videoshop.config.NotificationSettings.Transport.FILE) {
      log.info("Mail is written as .eml files to {} (videoshop.notifications.mail.transport = file)",
          mail.fileDirectory().toAbsolutePath());
    }
    platform.deliveryWorkers.start();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "stop-outbox-delivery",
        () -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          platform.deliveryWorkers.stop(Duration.ofSeconds(10));
          platform.mailChannel.close();
          return Done.getInstance();
        }));
    system.getWhenTerminated().thenRun(platform.deliveryWorkers::halt);
    // Webhooks: every node's worker looks for due messages each second (leases keep one sender per
    // message); delivery records past the retention are purged hourly.
    String webhookOwner = "node-" + java.util.UUID.randomUUID();
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(1), Duration.ofSeconds(1),
        () -> java.util.concurrent.CompletableFuture.runAsync(() -> platform.webhookDeliveries.runOnce(webhookOwner),
            platform.blocking.executor()), system.executionContext());
    system.scheduler().scheduleWithFixedDelay(Duration.ofMinutes(5), Duration.ofHours(1),
        () -> java.util.concurrent.CompletableFuture.runAsync(() -> platform.webhookDeliveries.purgeFinished(
            platform.clock.instant().minus(platform.settings.webhooks().retention())), platform.blocking.executor()),
        system.executionContext());
    // Trials end at a time, not on an event: an hourly look on every node (dedup keys mail once).
    system.scheduler().scheduleWithFixedDelay(Duration.ofMinutes(1), Duration.ofHours(1),
        () -> java.util.concurrent.CompletableFuture.runAsync(platform.trialReminders::runOnce,
            platform.blocking.executor()), system.executionContext());
  }

  /** Binds Pekko Management (health checks, cluster routes) and returns the port it listens on. */
  private static int startManagement(ActorSystem<?> system) throws Exception {
    Uri uri = PekkoManagement.get(system).start()
        .toCompletableFuture()
        .get(BIND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    return uri.port();
  }

  private static void joinCluster(ActorSystem<?> system, ClusterSettings settings) {
    Cluster cluster = Cluster.get(system);
    if (settings.discovery() == ClusterSettings.Discovery.KUBERNETES_API) {
      // Finds the other pods through the Kubernetes API and joins them, or forms the cluster when
      // this pod has the lowest address among the required contact points.
      try {
        ClusterBootstrap.get(system).start();
      } catch (RuntimeException e) {
        // Typically a node started with kubernetes-api outside a pod: say so instead of a bare file name.
        throw new IllegalStateException("cluster bootstrap (videoshop.cluster.discovery = kubernetes-api) cannot "
            + "start: " + e + ". It reads the pod's service account (token, CA, namespace) under "
            + "/var/run/secrets/kubernetes.io/serviceaccount and lists pods through the Kubernetes API.", e);
      }
    } else if (settings.formsClusterOfItsOwn()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else {
      List<Address> seeds = settings.seedNodes().stream()
          .map(seed -> {
            int colon = seed.lastIndexOf(':');
            return new Address("pekko", SYSTEM_NAME, seed.substring(0, colon),
                Integer.parseInt(seed.substring(colon + 1)));
          })
          .toList();
      cluster.manager().tell(new JoinSeedNodes(seeds));
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Platform platform() {
    return platform;
  }

  public VideoShopSettings settings() {
    return settings;
  }

  public int httpPort() {
    InetSocketAddress address = binding.localAddress();
    return address.getPort();
  }

  /** The port Pekko Management listens on (/alive, /ready, /cluster/members). */
  public int managementPort() {
    return managementPort;
  }

  private static String lowerCase(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Runs coordinated shutdown (unbind, drain requests, hand off shards, leave the cluster) and
   * completes once the actor system has terminated.
   */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system)
        .runAll(CoordinatedShutdown.unknownReason())
        .thenCompose(done -> system.getWhenTerminated())
        .thenApply(terminated -> Done.getInstance());
  }

  private static void awaitQuietly(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // Best effort: the caller is already failing with the original cause.
    }
  }
}
