package io.videoshop.queue;

import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.TenantSettings;
import io.videoshop.tenant.Tenants;
import io.videoshop.wallet.Admission;
import io.videoshop.wallet.Wallet;
import io.videoshop.wallet.WalletUpdate;
import io.videoshop.wallet.Wallets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * One tenant's queue as seen from one node: a single subscription to the {@link TenantQueue}
 * entity (wherever sharding placed it), fanned out to this node's sockets of that tenant. It
 * subscribes again when the entity stops or moves, decrypts shoppers' names once per ticket for
 * the agents' consoles, and keeps the entity in step with the tenant's settings, business hours
 * and suspension (checked every few seconds; the entity persists only what changed).
 */
final class QueueFeed extends AbstractBehavior<QueueFeed.Command> {
  static final Duration TENANT_REFRESH = Duration.ofSeconds(5);
  static final Duration LINGER = Duration.ofSeconds(30);

  interface Command extends NoSerializationVerificationNeeded {}

  /**
   * A socket wants the feed; it gets the latest {@link View} at once if there is one. Consoles
   * show names, so only they hear again when names have been decrypted.
   */
  record Attach(ActorRef<View> session, boolean showsNames) implements Command {}

  /** What sockets receive: the entity's update and the names decrypted so far. */
  record View(QueueUpdate update, Map<String, String> names, Map<String, QueueView.WaitingTicket> tickets)
      implements NoSerializationVerificationNeeded {
    /** This ticket in the queue now, found without scanning it (each shopper's socket asks). */
    Optional<QueueView.WaitingTicket> ticket(String ticketId) {
      return Optional.ofNullable(tickets.get(ticketId));
    }
  }

  private record Updated(QueueUpdate update) implements Command {}

  private record QueueStopped() implements Command {}

  private record SessionGone(ActorRef<View> session) implements Command {}

  private record Refresh() implements Command {}

  private record TenantLoaded(Optional<Tenant> tenant) implements Command {}

  /** {@code asked}: the tickets this decryption was for, whether it worked or not. */
  private record NamesDecrypted(Set<String> asked, Map<String, String> names) implements Command {}

  private record LingerOver() implements Command {}

  private record WalletChanged(WalletUpdate update) implements Command {}

  private record WalletStopped() implements Command {}

  private record WalletOpenAttempted() implements Command {}

  /** From {@link QueueFeeds}: no new socket will be sent here; stop if none is left. */
  record Retire() implements Command {}

  static Behavior<Command> create(String tenantId, ActorRef<QueueFeeds.Command> feeds, Tenants tenants,
      Wallets wallets, PersonalDataVault vault, Executor blocking, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new QueueFeed(context, timers, tenantId, feeds, tenants, wallets, vault, blocking, clock)));
  }

  private final TimerScheduler<Command> timers;
  private final String tenantId;
  private final ActorRef<QueueFeeds.Command> feeds;
  private final Tenants tenants;
  private final Wallets wallets;
  private final EntityRef<Wallet.Command> wallet;
  private final ActorRef<WalletUpdate> walletUpdates;
  private boolean openingWallet;
  private final PersonalDataVault vault;
  private final Executor blocking;
  private final Clock clock;
  private final EntityRef<TenantQueue.Command> entity;
  private final ActorRef<QueueUpdate> updates;
  /** This node's sockets of the tenant, and whether each shows shoppers' names. */
  private final Map<ActorRef<View>, Boolean> sessions = new HashMap<>();
  private final Map<String, String> names = new HashMap<>();
  private final Set<String> decrypting = new HashSet<>();
  private QueueUpdate latest;
  /** The latest view's tickets by id, built once per update for all the sockets. */
  private Map<String, QueueView.WaitingTicket> latestTickets = Map.of();
  private Tenant tenant;
  private ActorRef<TenantQueue.Command> watched;

  private QueueFeed(ActorContext<Command> context, TimerScheduler<Command> timers, String tenantId,
      ActorRef<QueueFeeds.Command> feeds, Tenants tenants, Wallets wallets, PersonalDataVault vault, Executor blocking,
      Clock clock) {
    super(context);
    this.wallets = wallets;
    this.timers = timers;
    this.tenantId = tenantId;
    this.feeds = feeds;
    this.tenants = tenants;
    this.vault = vault;
    this.blocking = blocking;
    this.clock = clock;
    this.entity = ClusterSharding.get(context.getSystem()).entityRefFor(TenantQueue.ENTITY_KEY, tenantId);
    this.updates = context.messageAdapter(QueueUpdate.class, Updated::new);
    entity.tell(new TenantQueue.Subscribe(updates));
    this.wallet = ClusterSharding.get(context.getSystem()).entityRefFor(Wallet.ENTITY_KEY, tenantId);
    this.walletUpdates = context.messageAdapter(WalletUpdate.class, WalletChanged::new);
    wallet.tell(new Wallet.Subscribe(walletUpdates));
    timers.startTimerWithFixedDelay(new Refresh(), Duration.ZERO, TENANT_REFRESH);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Attach.class, this::onAttach)
        .onMessage(SessionGone.class, gone -> onSessionGone(gone.session()))
        .onMessage(Updated.class, updated -> onUpdate(updated.update()))
        .onMessage(QueueStopped.class, stopped -> onQueueStopped())
        .onMessage(Refresh.class, refresh -> onRefresh())
        .onMessage(TenantLoaded.class, loaded -> onTenantLoaded(loaded.tenant()))
        .onMessage(NamesDecrypted.class, this::onNamesDecrypted)
        .onMessage(LingerOver.class, over -> {
          if (sessions.isEmpty()) feeds.tell(new QueueFeeds.Idle(tenantId, getContext().getSelf()));
          return this;
        })
        .onMessage(Retire.class, retire -> sessions.isEmpty() ? stop() : this)
        .onMessage(WalletChanged.class, changed -> onWalletChanged(changed.update()))
        .onMessage(WalletOpenAttempted.class, attempted -> {
          openingWallet = false;
          return this;
        })
        .onMessage(WalletStopped.class, stopped -> {
          wallet.tell(new Wallet.Subscribe(walletUpdates));
          return this;
        })
        .build();
  }

  private Behavior<Command> onAttach(Attach attach) {
    sessions.put(attach.session(), attach.showsNames());
    getContext().watchWith(attach.session(), new SessionGone(attach.session()));
    timers.cancel(LingerOver.class);
    if (latest != null) attach.session().tell(view());
    return this;
  }

  private Behavior<Command> onSessionGone(ActorRef<View> session) {
    sessions.remove(session);
    // Stay subscribed a little: a page reload reconnects at once.
    if (sessions.isEmpty()) timers.startSingleTimer(LingerOver.class, new LingerOver(), LINGER);
    return this;
  }

  private Behavior<Command> onUpdate(QueueUpdate update) {
    boolean first = latest == null;
    if (!update.queue().equals(watched)) {
      if (watched != null) getContext().unwatch(watched);
      watched = update.queue();
      getContext().watchWith(watched, new QueueStopped());
    }
    latest = update;
    Map<String, QueueView.WaitingTicket> byId = new HashMap<>();
    update.view().tickets().forEach(ticket -> byId.put(ticket.ticketId(), ticket));
    latestTickets = byId;
    names.keySet().retainAll(byId.keySet());
    decrypting.retainAll(byId.keySet());
    decryptNewNames(update.view());
    View view = view();
    sessions.keySet().forEach(session -> session.tell(view));
    if (first) pushTenantState();
    return this;
  }

  /**
   * Billing's word on admission, passed on to the queue (which persists it only when it changed).
   * A tenant whose wallet was never opened gets it opened (on its trial) rather than refused.
   */
  private Behavior<Command> onWalletChanged(WalletUpdate update) {
    getContext().watchWith(update.wallet(), new WalletStopped());
    Admission admission = update.admission();
    if (admission.refusal() == Admission.Refusal.WALLET_NOT_OPEN) {
      if (tenant != null && !openingWallet) {
        openingWallet = true;
        getContext().pipeToSelf(wallets.open(tenant), (view, failure) -> new WalletOpenAttempted());
      }
      return this;
    }
    Refusal refusal = admission.admitting() ? null
        : admission.refusal() == Admission.Refusal.INSUFFICIENT_FUNDS ? Refusal.INSUFFICIENT_FUNDS : Refusal.PLAN_LIMIT;
    entity.tell(new TenantQueue.UpdateAdmission(new QueueAdmission(admission.admitting(), refusal,
        admission.concurrentCallLimit()), getContext().getSystem().ignoreRef()));
    return this;
  }

  /** The entity passivated, restarted or moved: subscribing through sharding starts it again. */
  private Behavior<Command> onQueueStopped() {
    watched = null;
    entity.tell(new TenantQueue.Subscribe(updates));
    return this;
  }

  private Behavior<Command> onRefresh() {
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> tenants.find(tenantId), blocking),
        (tenant, failure) -> new TenantLoaded(failure == null ? tenant : Optional.empty()));
    return this;
  }

  private Behavior<Command> onTenantLoaded(Optional<Tenant> loaded) {
    loaded.ifPresent(found -> tenant = found);
    pushTenantState();
    return this;
  }

  /**
   * Pushes what the entity's view does not yet reflect: settings, opening, suspension. Runs on
   * every refresh, so an opening or closing time is reflected within {@link #TENANT_REFRESH}.
   */
  private void pushTenantState() {
    if (tenant == null || latest == null) return;
    QueueView view = latest.view();
    ActorRef<TenantQueue.Confirmation> ignore = getContext().getSystem().ignoreRef();
    QueueSettings wanted = settingsOf(tenant.settings(), view.settings());
    if (!wanted.equals(view.settings())) entity.tell(new TenantQueue.UpdateSettings(wanted, ignore));
    Instant now = clock.instant();
    boolean open = tenant.settings().businessHours().isOpen(now, tenant.settings().zone());
    Instant nextOpening = open ? null
        : tenant.settings().businessHours().nextOpening(now, tenant.settings().zone()).orElse(null);
    if (open != view.open() || (!open && !java.util.Objects.equals(nextOpening, view.nextOpeningAt()))) {
      entity.tell(new TenantQueue.UpdateOpening(open, nextOpening, ignore));
    }
    if (tenant.suspended() != view.suspended()) entity.tell(new TenantQueue.UpdateSuspension(tenant.suspended(), ignore));
  }

  /** The tenant's queue policy mapped onto the entity's settings; what the tenant does not set stays. */
  static QueueSettings settingsOf(TenantSettings settings, QueueSettings current) {
    TenantSettings.QueuePolicy policy = settings.queue();
    return new QueueSettings(policy.maxLength(), Duration.ofSeconds(policy.reservationTimeoutSeconds()),
        "round-robin".equals(policy.routingStrategy())
            ? QueueSettings.RoutingStrategy.ROUND_ROBIN : QueueSettings.RoutingStrategy.LONGEST_IDLE,
        current.reconnectGrace(), current.agentReconnectGrace());
  }

  private void decryptNewNames(QueueView view) {
    Map<String, io.videoshop.persistence.privacy.EncryptedPersonalData> pending = new HashMap<>();
    for (QueueView.WaitingTicket ticket : view.tickets()) {
      if (!names.containsKey(ticket.ticketId()) && decrypting.add(ticket.ticketId())) {
        pending.put(ticket.ticketId(), ticket.details().name());
      }
    }
    if (pending.isEmpty()) return;
    Set<String> asked = Set.copyOf(pending.keySet());
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
      Map<String, String> decrypted = new HashMap<>();
      pending.forEach((ticketId, name) -> {
        DecryptedPersonalData value = vault.decrypt(name);
        decrypted.put(ticketId, value == null ? "" : value.value());
      });
      return decrypted;
    }, blocking), (decrypted, failure) -> new NamesDecrypted(asked, failure == null ? decrypted : Map.of()));
  }

  private Behavior<Command> onNamesDecrypted(NamesDecrypted decrypted) {
    // Failed ones are no longer "under way": the next update asks for them again.
    decrypting.removeAll(decrypted.asked());
    if (decrypted.names().isEmpty()) return this;
    // Only tickets still waiting: one that left meanwhile must not stay in the map.
    decrypted.names().forEach((ticketId, name) -> {
      if (latestTickets.containsKey(ticketId)) names.put(ticketId, name);
    });
    View view = view();
    sessions.forEach((session, showsNames) -> {
      if (showsNames) session.tell(view);
    });
    return this;
  }

  private View view() {
    return new View(latest, Map.copyOf(names), latestTickets);
  }

  private Behavior<Command> stop() {
    entity.tell(new TenantQueue.Unsubscribe(updates));
    wallet.tell(new Wallet.Unsubscribe(walletUpdates));
    return Behaviors.stopped();
  }
}
