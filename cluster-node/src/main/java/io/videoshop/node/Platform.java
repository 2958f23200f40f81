package io.videoshop.node;

import io.videoshop.access.AccessRoutes;
import io.videoshop.access.AccessTokens;
import io.videoshop.access.ApiKeys;
import io.videoshop.access.Authentication;
import io.videoshop.access.FirstStart;
import io.videoshop.access.Logins;
import io.videoshop.access.SigningKeys;
import io.videoshop.access.SocketTicketRoutes;
import io.videoshop.access.SocketTickets;
import io.videoshop.access.UserSessions;
import io.videoshop.access.Users;
import io.videoshop.access.WidgetKeys;
import io.videoshop.audit.AuditLog;
import io.videoshop.audit.AuditRoutes;
import io.videoshop.config.VideoShopSettings;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.ApiRouter;
import io.videoshop.http.Blocking;
import io.videoshop.notification.DeliveryWorkers;
import io.videoshop.notification.MailChannel;
import io.videoshop.notification.MailTemplates;
import io.videoshop.notification.Mails;
import io.videoshop.notification.NotificationRoutes;
import io.videoshop.notification.Outbox;
import io.videoshop.metrics.NodeMetrics;
import io.videoshop.config.DatabaseSettings;
import io.videoshop.persistence.SharedDatabase;
import io.videoshop.reporting.ReportRoutes;
import io.videoshop.reporting.Reports;
import io.videoshop.push.PushChannel;
import io.videoshop.push.PushRoutes;
import io.videoshop.push.PushSender;
import io.videoshop.push.PushSubscriptions;
import io.videoshop.push.VapidKeys;
import io.videoshop.room.CallRoutes;
import io.videoshop.access.RoomTokens;
import io.videoshop.scheduling.BookingCalendars;
import io.videoshop.scheduling.BookingLinks;
import io.videoshop.scheduling.Bookings;
import io.videoshop.scheduling.PublicBookingLimits;
import io.videoshop.scheduling.PublicBookingRoutes;
import io.videoshop.scheduling.SchedulingRoutes;
import io.videoshop.tenant.TenantRoutes;
import io.videoshop.tenant.Tenants;
import io.videoshop.wallet.IdempotencyRecords;
import io.videoshop.wallet.LedgerEntries;
import io.videoshop.wallet.PaymentWebhook;
import io.videoshop.wallet.TopUps;
import io.videoshop.wallet.WalletRoutes;
import io.videoshop.wallet.Wallets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.videoshop.domain.DomainError;
import io.videoshop.wallet.Wallet;
import io.videoshop.wallet.WalletView;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdbi.v3.core.Jdbi;

/**
 * The node's table-backed services (tenants, users, keys, audit) over the shared pool, the way to
 * the wallets, and the admin HTTP API built from their route tables. Sockets and entities reach
 * the same services here.
 */
public final class Platform {
  /** The node's clock for its services (tests start a node with a clock they move). */
  public final Clock clock;
  public final VideoShopSettings settings;
  public final Jdbi jdbi;
  public final Blocking blocking;
  public final AuditLog audit;
  public final Tenants tenants;
  public final Users users;
  public final UserSessions sessions;
  public final SocketTickets socketTickets;
  public final SigningKeys signingKeys;
  public final AccessTokens accessTokens;
  public final RoomTokens roomTokens;
  public final Logins logins;
  public final ApiKeys apiKeys;
  public final WidgetKeys widgetKeys;
  public final FirstStart firstStart;
  public final Wallets wallets;
  public final LedgerEntries ledger;
  public final BookingCalendars calendars;
  public final Reports reports;
  public final BookingLinks bookingLinks;
  public final VapidKeys vapidKeys;
  public final PushSubscriptions pushSubscriptions;
  public final PushChannel pushChannel;
  public final io.videoshop.webhook.WebhookEndpoints webhookEndpoints;
  public final io.videoshop.webhook.WebhookDeliveries webhookDeliveries;
  public final ApiRouter api;
  public final Outbox outbox;
  public final Mails mails;
  /** This node's outbox delivery workers; channels of other kinds (push) are added before start. */
  public final DeliveryWorkers deliveryWorkers;
  public final MailChannel mailChannel;
  public final io.videoshop.notification.TrialReminders trialReminders;
  /** Erasing shoppers; a store added later (webhook deliveries) adds its step here. */
  public final io.videoshop.privacy.Erasures erasures;
  /** What shoppers agreed to, and its withdrawal. */
  public final io.videoshop.privacy.Consents consents;
  /** Retention per data class: a job that runs on one node at a time. */
  public final io.videoshop.privacy.Retention retention;

  /** The wallet's seat limit (a tenant whose wallet is not open yet is on its trial: no limit). */
  private Optional<Integer> seatLimit(String tenantId) {
    try {
      WalletView wallet = wallets.<WalletView>ask(tenantId, Wallet.GetWallet::new).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      return wallet.open() ? Optional.ofNullable(wallet.admission().agentSeatLimit()) : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw DomainError.unavailable("wallet_unavailable",
          "The plan's seat limit cannot be checked right now; try again");
    }
  }

  Platform(ActorSystem<?> system, VideoShopSettings settings) {
    this(system, settings, Clock.systemUTC());
  }

  Platform(ActorSystem<?> system, VideoShopSettings settings, Clock clock) {
    this.clock = clock;
    this.settings = settings;
    SharedDatabase database = SharedDatabase.get(system);
    this.jdbi = Jdbi.create(database.queryDataSource());
    this.blocking = new Blocking(database.blockingExecutor());
    this.audit = new AuditLog(jdbi, clock);
    this.tenants = new Tenants(jdbi, audit, clock);
    this.wallets = new Wallets(system, settings.billing());
    this.sessions = new UserSessions(system, jdbi, blocking, settings.auth().sessionCheckTtl(), clock);
    this.outbox = new Outbox(jdbi, database.personalDataVault(), clock,
        database.settings().kind() == DatabaseSettings.Kind.POSTGRES ? Outbox.Dialect.POSTGRES : Outbox.Dialect.H2);
    MailTemplates mailTemplates = new MailTemplates();
    this.mails = new Mails(jdbi, outbox, mailTemplates, settings.notifications().mail(), clock);
    this.mailChannel = new MailChannel(mails, mailTemplates, settings.notifications().mail());
    this.deliveryWorkers = new DeliveryWorkers(outbox, List.of(mailChannel), settings.notifications().outbox(),
        NodeMetrics.get(system).registry(), system.address() + "#" + java.util.UUID.randomUUID(), clock);
    mails.afterEnqueue(deliveryWorkers::nudge);
    this.trialReminders = new io.videoshop.notification.TrialReminders(jdbi, mails, wallets, tenants,
        settings.billing(), clock);
    this.users = new Users(jdbi, audit, mails, settings.auth(), settings.passwordResetLimits(), this::seatLimit, clock,
        sessions);
    this.signingKeys = new SigningKeys(settings.auth());
    // A consent link works as long as the shopper's data is kept (then there is nothing left to withdraw).
    this.consents = new io.videoshop.privacy.Consents(jdbi, database.personalDataVault(), signingKeys, audit,
        settings.privacy().retention().inactiveShopper(), clock);
    this.accessTokens = new AccessTokens(signingKeys, settings.auth(), clock);
    this.roomTokens = new RoomTokens(signingKeys, settings.calls().roomTokenTtl(), clock);
    this.socketTickets = new SocketTickets(jdbi, roomTokens, settings.auth().socketTicketTtl(), clock);
    this.logins = new Logins(jdbi, accessTokens, audit, mails, sessions, settings.auth(), clock);
    mailChannel.consentLinks((tenant, subject) -> mails.link("/privacy/consent#token=" + consents.token(tenant, subject)));
    logins.onSignIn(new io.videoshop.notification.SignInNotices(mails, clock)::signedIn);
    this.apiKeys = new ApiKeys(jdbi, audit, clock);
    apiKeys.auditClosedDaysEvery(system, blocking.executor(), settings.auth().apiKeyUsageAuditInterval());
    this.widgetKeys = new WidgetKeys(jdbi, tenants, audit, clock, settings.widget().keyCacheTtl(),
        settings.widget().keyCacheSize());
    this.firstStart = new FirstStart(jdbi, tenants, users, widgetKeys, clock);
    this.ledger = new LedgerEntries(jdbi);
    this.vapidKeys = VapidKeys.loadOrCreate(jdbi, clock);
    this.pushSubscriptions = new PushSubscriptions(jdbi, database.personalDataVault(), audit, settings.push(), clock);
    this.pushChannel = new PushChannel(pushSubscriptions, new PushSender(vapidKeys, settings.push(), clock), clock,
        settings.push().requestTimeout());
    deliveryWorkers.register(pushChannel);
    this.webhookEndpoints = new io.videoshop.webhook.WebhookEndpoints(jdbi, database.personalDataVault(), audit,
        settings.webhooks(), clock);
    this.webhookDeliveries = new io.videoshop.webhook.WebhookDeliveries(jdbi, database.personalDataVault(),
        new io.videoshop.webhook.WebhookSender(system,
            new io.videoshop.webhook.AddressGuard(settings.webhooks().allowedHosts()),
            settings.webhooks().requestTimeout(), clock, settings.webhooks().parallelism()),
        mails, audit, clock, new java.util.Random(), settings.webhooks().requestTimeout().multipliedBy(4),
        database.settings().kind() == DatabaseSettings.Kind.POSTGRES ? Outbox.Dialect.POSTGRES : Outbox.Dialect.H2,
        settings.webhooks().parallelism());
    TopUps topUps = new TopUps(jdbi, tenants, wallets, new IdempotencyRecords(clock), audit, blocking);
    PaymentWebhook webhook = new PaymentWebhook(jdbi, tenants, wallets, audit, blocking, clock);
    List<ApiRoute> table = new ArrayList<>();
    table.addAll(AccessRoutes.routes(firstStart, logins, users, apiKeys, widgetKeys, blocking));
    table.addAll(SocketTicketRoutes.routes(socketTickets, accessTokens, blocking));
    table.addAll(TenantRoutes.routes(jdbi, tenants, blocking));
    table.addAll(AuditRoutes.routes(audit, blocking));
    table.addAll(CallRoutes.routes(system, jdbi, database.personalDataVault(), blocking));
    table.addAll(WalletRoutes.routes(jdbi, tenants, wallets, ledger, topUps, webhook, audit, blocking, clock));
    this.calendars = new BookingCalendars(system, settings.scheduling().askTimeout());
    this.bookingLinks = new BookingLinks(signingKeys, settings.scheduling().linkTtl(), clock);
    table.addAll(SchedulingRoutes.routes(tenants, users, calendars,
        new Bookings(jdbi, database.personalDataVault()), audit, blocking));
    PublicBookingLimits bookingLimits = new PublicBookingLimits(settings.scheduling(), System::nanoTime);
    io.videoshop.http.ClusterCountsGossip.start(system, "public-booking-requests", bookingLimits.taken());
    table.addAll(PublicBookingRoutes.routes(tenants, widgetKeys, calendars, bookingLinks, database.personalDataVault(),
        bookingLimits, blocking, clock, consents));
    this.reports = new Reports(jdbi, settings.reporting());
    table.addAll(ReportRoutes.routes(reports, blocking));
    table.addAll(NotificationRoutes.routes(jdbi, mails, outbox, audit, blocking));
    table.addAll(PushRoutes.routes(vapidKeys, pushSubscriptions, blocking));
    table.addAll(io.videoshop.webhook.WebhookRoutes.routes(webhookEndpoints, webhookDeliveries,
        new io.videoshop.webhook.WebhookReplay(system, jdbi, webhookDeliveries, audit, blocking.executor(), clock), blocking));
    this.erasures = new io.videoshop.privacy.Erasures(system, jdbi, database.personalDataVault(), calendars, audit,
        blocking.executor(), clock, settings.privacy().region());
    erasures.addStep(new io.videoshop.webhook.WebhookErasureStep(jdbi, database.personalDataVault(), webhookDeliveries,
        clock));
    this.retention = io.videoshop.privacy.Retention.start(system, jdbi, audit, settings.privacy().retention(),
        NodeMetrics.get(system).registry(), blocking.executor(), clock);
    var withdrawalLimit = new io.videoshop.privacy.PrivacyRoutes.WithdrawalLimit(
        settings.privacy().withdrawalPerIpBurst(), settings.privacy().withdrawalPerIpPerMinute(), System::nanoTime);
    io.videoshop.http.ClusterCountsGossip.start(system, "consent-withdrawals", withdrawalLimit.taken());
    table.addAll(io.videoshop.privacy.PrivacyRoutes.routes(erasures, erasures.export(),
        new io.videoshop.privacy.ShopperCorrections(calendars, erasures.directory(), system,
            database.personalDataVault()),
        new io.videoshop.privacy.UserPrivacy(jdbi, users, database.personalDataVault(), erasures,
            settings.privacy().region(), clock), users, consents,
        new io.videoshop.privacy.ExportJobs(jdbi, database.personalDataVault(), erasures, signingKeys, audit,
            settings.privacy().exportLinkTtl(), clock), retention, audit,
        database.personalDataVault(), settings.privacy().region(), withdrawalLimit, blocking));
    table.add(OpenApiDocument.route());
    this.api = new ApiRouter(table, new Authentication(accessTokens, apiKeys, blocking, sessions),
        settings.http().trustedProxies());
  }
}
