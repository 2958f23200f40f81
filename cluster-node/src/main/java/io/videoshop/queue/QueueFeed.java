package io.videoshop.queue;

import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import io.videoshop.wallet.Admission;
import io.videoshop.wallet.Wallet;
import io.videoshop.wallet.WalletUpdate;
import io.videoshop.wallet.Wallets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
 * entity (wherever sharding placed it), kept as a {@link QueueReplica} by applying its numbered
 * changes, and fanned out to this node's sockets of that tenant: consoles and dashboards get the
 * whole queue after each change, a shopper's socket only news of its own ticket, and only when it
 * changed. It subscribes again when the entity stops or moves and when it sees a gap; it asks for
 * shoppers' names only while a console is attached and decrypts each ticket's name once; it
 * passes billing's admission on from the tenant's wallet. Settings, hours and suspension reach the
 * entity from the writes that change them ({@link QueueSettingsPush}), and once from each feed
 * that starts.
 *
 * <p>Its sockets are kept in an {@link Audience} that outlives the behavior: a feed that crashes
 * is restarted (with backoff) by {@link QueueFeeds} with the same sockets, subscribes again and
 * sends them the queue as it is.
 */
final class QueueFeed extends AbstractBehavior<QueueFeed.Command> {
  static final Duration LINGER = Duration.ofSeconds(30);

  interface Command extends NoSerializationVerificationNeeded {}

  /**
   * A console or dashboard wants the feed; it gets the latest {@link View} at once if there is one.
   * Consoles show names: while one is attached the feed asks the queue for them.
   */
  record Attach(ActorRef<View> session, boolean showsNames) implements Command {}

  /** A shopper's socket follows its ticket ({@code ticketId} null: none any more); it hears {@link TicketNews}. */
  record Follow(ActorRef<TicketNews> shopper, String ticketId) implements Command {}

  /**
   * What consoles and dashboards receive: the events of the change (none after a snapshot), the
   * queue after them, and the names decrypted so far (for consoles).
   */
  record View(List<TenantQueue.Event> changes, QueueView view, Map<String, String> names)
      implements NoSerializationVerificationNeeded {}

  /** Fault injection for tests: the feed fails as if a bug hit it. */
  record Crash() implements Command {}

  private record Updated(QueueUpdate update) implements Command {}

  private record QueueStopped() implements Command {}

  private record SessionGone(ActorRef<?> session) implements Command {}

  private record TenantLoaded(Optional<Tenant> tenant) implements Command {}

  /** {@code asked}: the tickets this decryption was for and the names it decrypted, whether it worked or not. */
  private record NamesDecrypted(Map<String, EncryptedPersonalData> asked, Map<String, String> names)
      implements Command {}

  private record LingerOver() implements Command {}

  private record WalletChanged(WalletUpdate update) implements Command {}

  private record WalletStopped() implements Command {}

  private record WalletOpenAttempted() implements Command {}

  /** From {@link QueueFeeds}: no new socket will be sent here; stop if none is left. */
  record Retire() implements Command {}

  /** The feed's sockets: made by {@link QueueFeeds}, so they stay when the feed's behavior restarts. */
  static final class Audience {
    /** Consoles and dashboards, and whether each shows names. */
    final Map<ActorRef<View>, Boolean> viewers = new HashMap<>();
    /** Each shopper's socket and the ticket it follows. */
    final Map<ActorRef<TicketNews>, String> following = new HashMap<>();
    /** The same, by ticket. */
    final Map<String, Set<ActorRef<TicketNews>>> followers = new HashMap<>();

    boolean isEmpty() {
      return viewers.isEmpty() && following.isEmpty();
    }

    boolean showsNames() {
      return viewers.containsValue(Boolean.TRUE);
    }

    void unfollow(ActorRef<TicketNews> shopper) {
      String ticketId = following.remove(shopper);
      if (ticketId == null) return;
      Set<ActorRef<TicketNews>> others = followers.get(ticketId);
      if (others != null && others.remove(shopper) && others.isEmpty()) followers.remove(ticketId);
    }
  }

  static Behavior<Command> create(String tenantId, ActorRef<QueueFeeds.Command> feeds, Audience audience,
      Tenants tenants, Wallets wallets, PersonalDataVault vault, Executor blocking, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new QueueFeed(context, timers, tenantId, feeds, audience, tenants, wallets, vault, blocking, clock)));
  }

  private final TimerScheduler<Command> timers;
  private final String tenantId;
  private final ActorRef<QueueFeeds.Command> feeds;
  private final Tenants tenants;
  private final Wallets wallets;
  private final EntityRef<Wallet.Command> wallet;
  private final ActorRef<WalletUpdate> walletUpdates;
  private boolean openingWallet;
  /** The wallet said it was never opened: it is opened (on its trial) once the tenant is known. */
  private boolean walletNotOpen;
  private final PersonalDataVault vault;
  private final Executor blocking;
  private final Clock clock;
  private final EntityRef<TenantQueue.Command> entity;
  private final ActorRef<QueueUpdate> updates;
  private final Audience audience;
  /**
   * Decrypted names of waiting tickets, by ticket: dropped when the ticket leaves, its details are
   * corrected, or no console is left.
   */
  private final Map<String, Name> names = new HashMap<>();
  /** A name as decrypted, and the ciphertext it came from. */
  private record Name(EncryptedPersonalData sealed, String plain) {}

  /** The encrypted names under way, by ticket: a result for a name since corrected is dropped. */
  private final Map<String, EncryptedPersonalData> decrypting = new HashMap<>();
  private QueueReplica replica;
  /** Subscribed (or subscribing) with names: while a console is attached. */
  private boolean withNames;
  /** A (re)subscription is under way: further gaps wait for its snapshot. */
  private boolean awaitingSnapshot;
  private Tenant tenant;
  private ActorRef<TenantQueue.Command> watched;

  private QueueFeed(ActorContext<Command> context, TimerScheduler<Command> timers, String tenantId,
      ActorRef<QueueFeeds.Command> feeds, Audience audience, Tenants tenants, Wallets wallets, PersonalDataVault vault,
      Executor blocking, Clock clock) {
    super(context);
    this.wallets = wallets;
    this.timers = timers;
    this.tenantId = tenantId;
    this.feeds = feeds;
    this.audience = audience;
    this.tenants = tenants;
    this.vault = vault;
    this.blocking = blocking;
    this.clock = clock;
    this.entity = ClusterSharding.get(context.getSystem()).entityRefFor(TenantQueue.ENTITY_KEY, tenantId);
    this.updates = context.messageAdapter(QueueUpdate.class, Updated::new);
    // After a restart the sockets are still there: watch them again (the same message, so no clash).
    audience.viewers.keySet().forEach(session -> context.watchWith(session, new SessionGone(session)));
    audience.following.keySet().forEach(shopper -> context.watchWith(shopper, new SessionGone(shopper)));
    subscribe(audience.showsNames());
    this.wallet = ClusterSharding.get(context.getSystem()).entityRefFor(Wallet.ENTITY_KEY, tenantId);
    this.walletUpdates = context.messageAdapter(WalletUpdate.class, WalletChanged::new);
    wallet.tell(new Wallet.Subscribe(walletUpdates));
    loadTenant();
    if (audience.isEmpty()) timers.startSingleTimer(LingerOver.class, new LingerOver(), LINGER);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Attach.class, this::onAttach)
        .onMessage(Follow.class, this::onFollow)
        .onMessage(SessionGone.class, gone -> onSessionGone(gone.session()))
        .onMessage(Updated.class, updated -> onUpdate(updated.update()))
        .onMessage(QueueStopped.class, stopped -> onQueueStopped())
        .onMessage(TenantLoaded.class, loaded -> onTenantLoaded(loaded.tenant()))
        .onMessage(NamesDecrypted.class, this::onNamesDecrypted)
        .onMessage(LingerOver.class, over -> {
          if (audience.isEmpty()) feeds.tell(new QueueFeeds.Idle(tenantId, getContext().getSelf()));
          return this;
        })
        .onMessage(Retire.class, retire -> audience.isEmpty() ? stop() : this)
        .onMessage(WalletChanged.class, changed -> onWalletChanged(changed.update()))
        .onMessage(WalletOpenAttempted.class, attempted -> {
          openingWallet = false;
          return this;
        })
        .onMessage(WalletStopped.class, stopped -> {
          wallet.tell(new Wallet.Subscribe(walletUpdates));
          return this;
        })
        .onMessage(Crash.class, crash -> {
          throw new IllegalStateException("feed of " + tenantId + " told to crash (fault injection)");
        })
        .build();
  }

  /** Subscribes (again): the queue answers with one snapshot, with names or without. */
  private void subscribe(boolean names) {
    withNames = names;
    awaitingSnapshot = true;
    entity.tell(new TenantQueue.Subscribe(updates, names));
  }

  private Behavior<Command> onAttach(Attach attach) {
    if (audience.viewers.put(attach.session(), attach.showsNames()) == null) {
      getContext().watchWith(attach.session(), new SessionGone(attach.session()));
    }
    timers.cancel(LingerOver.class);
    if (attach.showsNames() && !withNames) {
      subscribe(true); // its snapshot brings the names, and this console its view
    } else if (replica != null) {
      attach.session().tell(view(List.of()));
    }
    return this;
  }

  private Behavior<Command> onFollow(Follow follow) {
    boolean known = audience.following.containsKey(follow.shopper());
    audience.unfollow(follow.shopper());
    if (follow.ticketId() == null) {
      if (known) getContext().unwatch(follow.shopper());
      lingerIfEmpty();
      return this;
    }
    if (!known) getContext().watchWith(follow.shopper(), new SessionGone(follow.shopper()));
    audience.following.put(follow.shopper(), follow.ticketId());
    audience.followers.computeIfAbsent(follow.ticketId(), ticketId -> new HashSet<>()).add(follow.shopper());
    timers.cancel(LingerOver.class);
    if (replica != null) QueueReplica.current(replica.state(), follow.ticketId()).ifPresent(follow.shopper()::tell);
    return this;
  }

  @SuppressWarnings("unchecked")
  private Behavior<Command> onSessionGone(ActorRef<?> session) {
    audience.viewers.remove(session);
    audience.unfollow((ActorRef<TicketNews>) session);
    if (withNames && !audience.showsNames()) {
      // No console left here: no names asked for, none kept.
      names.clear();
      decrypting.clear();
      subscribe(false);
    }
    lingerIfEmpty();
    return this;
  }

  /** Stay subscribed a little: a page reload reconnects at once. */
  private void lingerIfEmpty() {
    if (audience.isEmpty()) timers.startSingleTimer(LingerOver.class, new LingerOver(), LINGER);
  }

  private Behavior<Command> onUpdate(QueueUpdate update) {
    QueueReplica.Step step = QueueReplica.step(replica, update);
    switch (step.outcome()) {
      case GAP -> {
        if (!awaitingSnapshot) subscribe(withNames);
        return this;
      }
      case ALREADY_APPLIED -> {
        return this;
      }
      case SNAPSHOT -> awaitingSnapshot = false;
      case APPLIED -> { }
    }
    if (!update.queue().equals(watched)) {
      if (watched != null) getContext().unwatch(watched);
      watched = update.queue();
      getContext().watchWith(watched, new QueueStopped());
    }
    boolean first = replica == null;
    TenantQueue.State before = first ? null : replica.state();
    replica = step.replica();
    forgetNamesOfGone(step);
    if (withNames && audience.showsNames()) decryptNewNames();
    tellFollowers(before, step.events());
    if (!audience.viewers.isEmpty()) {
      View view = view(step.events());
      audience.viewers.keySet().forEach(session -> session.tell(view));
    }
    return this;
  }

  private void tellFollowers(TenantQueue.State before, List<TenantQueue.Event> events) {
    if (audience.followers.isEmpty()) return;
    QueueReplica.news(before, replica.state(), events, audience.followers.keySet())
        .forEach((ticketId, news) -> audience.followers.get(ticketId).forEach(shopper -> shopper.tell(news)));
  }

  /** Names are kept for waiting tickets only. */
  private void forgetNamesOfGone(QueueReplica.Step step) {
    if (names.isEmpty() && decrypting.isEmpty()) return;
    if (step.outcome() == QueueReplica.Outcome.SNAPSHOT) {
      // Kept only for tickets still waiting under the same name (a correction may fall in a gap).
      Map<String, EncryptedPersonalData> current = waitingNames();
      names.entrySet().removeIf(name -> !name.getValue().sealed().equals(current.get(name.getKey())));
      decrypting.entrySet().removeIf(name -> !name.getValue().equals(current.get(name.getKey())));
      return;
    }
    for (TenantQueue.Event event : step.events()) {
      String gone = event instanceof TenantQueue.TicketLeft left ? left.ticketId()
          : event instanceof TenantQueue.TicketAbandoned abandoned ? abandoned.ticketId()
          : event instanceof TenantQueue.ReservationAccepted accepted ? accepted.ticketId()
          : event instanceof TenantQueue.TicketDetailsCorrected corrected ? corrected.ticketId() : null;
      if (gone != null) {
        names.remove(gone);
        decrypting.remove(gone);
      }
    }
  }

  /** Each waiting ticket's encrypted name (tickets without one are left out). */
  private Map<String, EncryptedPersonalData> waitingNames() {
    Map<String, EncryptedPersonalData> current = new HashMap<>();
    replica.state().tickets().forEach(ticket -> {
      if (ticket.details().name() != null) current.put(ticket.ticketId(), ticket.details().name());
    });
    return current;
  }

  /**
   * Billing's word on admission, passed on to the queue (which persists it only when it changed).
   * A tenant whose wallet was never opened gets it opened (on its trial) rather than refused.
   */
  private Behavior<Command> onWalletChanged(WalletUpdate update) {
    getContext().watchWith(update.wallet(), new WalletStopped());
    Admission admission = update.admission();
    walletNotOpen = admission.refusal() == Admission.Refusal.WALLET_NOT_OPEN;
    if (walletNotOpen) {
      openWallet(); // or once the tenant is loaded
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
    subscribe(withNames);
    return this;
  }

  private void openWallet() {
    if (tenant == null || openingWallet) return;
    openingWallet = true;
    getContext().pipeToSelf(wallets.open(tenant), (view, failure) -> new WalletOpenAttempted());
  }

  /** Once per feed: for the wallet, and so that a queue that never heard of its tenant's settings does. */
  private void loadTenant() {
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> tenants.find(tenantId), blocking),
        (tenant, failure) -> new TenantLoaded(failure == null ? tenant : Optional.empty()));
  }

  private Behavior<Command> onTenantLoaded(Optional<Tenant> loaded) {
    if (loaded.isEmpty()) return this;
    boolean first = tenant == null;
    tenant = loaded.get();
    if (first) QueueSettingsPush.push(getContext().getSystem(), tenant);
    if (walletNotOpen) openWallet();
    return this;
  }

  /** Each waiting ticket's name, once: those neither known nor under way, in one job. */
  private void decryptNewNames() {
    List<Ticket> tickets = replica.state().tickets();
    if (names.size() + decrypting.size() >= tickets.size()) return;
    Map<String, EncryptedPersonalData> pending = new HashMap<>();
    for (Ticket ticket : tickets) {
      if (ticket.details().name() != null && !names.containsKey(ticket.ticketId())
          && decrypting.putIfAbsent(ticket.ticketId(), ticket.details().name()) == null) {
        pending.put(ticket.ticketId(), ticket.details().name());
      }
    }
    if (pending.isEmpty()) return;
    Map<String, EncryptedPersonalData> asked = Map.copyOf(pending);
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
    // Failed ones are no longer "under way": the next update asks for them again. A name corrected
    // meanwhile is under way again (or will be): this result is not for it.
    Set<String> ours = new HashSet<>();
    decrypted.asked().forEach((ticketId, sealed) -> {
      if (decrypting.remove(ticketId, sealed)) ours.add(ticketId);
    });
    if (decrypted.names().isEmpty() || ours.isEmpty() || replica == null) return this;
    // Only tickets still waiting under that name (and still wanted): one that left meanwhile must not stay.
    Map<String, EncryptedPersonalData> waiting = waitingNames();
    decrypted.names().forEach((ticketId, name) -> {
      EncryptedPersonalData sealed = decrypted.asked().get(ticketId);
      if (ours.contains(ticketId) && sealed.equals(waiting.get(ticketId))) names.put(ticketId, new Name(sealed, name));
    });
    View view = view(List.of());
    audience.viewers.forEach((session, showsNames) -> {
      if (showsNames) session.tell(view);
    });
    return this;
  }

  private View view(List<TenantQueue.Event> changes) {
    Map<String, String> plain = new HashMap<>();
    names.forEach((ticketId, name) -> plain.put(ticketId, name.plain()));
    return new View(changes, replica.state().view(tenantId, clock.instant()), Map.copyOf(plain));
  }

  private Behavior<Command> stop() {
    entity.tell(new TenantQueue.Unsubscribe(updates));
    wallet.tell(new Wallet.Unsubscribe(walletUpdates));
    return Behaviors.stopped();
  }
}
