package io.videoshop.wallet;

import io.videoshop.node.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.videoshop.wallet.Wallet.Command;
import io.videoshop.wallet.Wallet.Credit;
import io.videoshop.wallet.Wallet.CreditKind;
import io.videoshop.wallet.Wallet.CreditRecorded;
import io.videoshop.wallet.Wallet.CreditReply;
import io.videoshop.wallet.Wallet.DebitKind;
import io.videoshop.wallet.Wallet.DebitMinute;
import io.videoshop.wallet.Wallet.DebitReply;
import io.videoshop.wallet.Wallet.Debited;
import io.videoshop.wallet.Wallet.Event;
import io.videoshop.wallet.Wallet.MinuteRecorded;
import io.videoshop.wallet.Wallet.Open;
import io.videoshop.wallet.Wallet.OpenReply;
import io.videoshop.wallet.Wallet.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random interleavings of top-ups, repeated top-ups, ticks, retried ticks, restarts of the wallet
 * (from its snapshot and events) and time passing, on seeded randomness so a failure replays: the
 * balance is what the unique credits and unique minutes say, every minute of every room is on the
 * ledger exactly once, and a recovered wallet is the wallet that stopped.
 */
class WalletPropertyTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
          pekko.actor.serialize-messages = on
          """)
      .withFallback(EventSourcedBehaviorTestKit.config())
      .withFallback(ConfigFactory.parseResources("serialization.conf")));
  private static final long RATE = 50;
  private static final Instant START = Instant.parse("2026-11-28T22:00:00Z");

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void theBalanceIsTheUniqueCreditsLessTheUniqueMinutesWhateverIsRepeatedOrRestarted(long seed) {
    Random random = new Random(seed);
    MovableClock clock = new MovableClock(START);
    String tenant = "tenant-" + UUID.randomUUID();
    var wallet = newWallet(tenant, clock);
    assertThat(wallet.<OpenReply>runCommand(replyTo -> new Open("EUR", new Plan.PayAsYouGo(RATE), replyTo)).reply())
        .isInstanceOf(WalletView.class);

    Map<String, Long> credits = new HashMap<>();
    Map<String, CreditReply> firstAnswers = new HashMap<>();
    Map<String, Integer> nextMinute = new HashMap<>();
    List<String> sentTicks = new ArrayList<>();
    int restarts = 0;
    for (int step = 0; step < 400; step++) {
      int choice = random.nextInt(100);
      if (choice < 12) {
        String reference = "top-up-" + credits.size();
        long amount = 1 + random.nextInt(5_000);
        CreditReply reply = credit(wallet, reference, amount);
        credits.put(reference, amount);
        firstAnswers.put(reference, reply);
      } else if (choice < 20 && !credits.isEmpty()) {
        String reference = List.copyOf(credits.keySet()).get(random.nextInt(credits.size()));
        assertThat(credit(wallet, reference, credits.get(reference))).as("a repeated top-up")
            .isEqualTo(firstAnswers.get(reference));
      } else if (choice < 70) {
        String room = "room-" + random.nextInt(6);
        int minute = nextMinute.merge(room, 1, Integer::sum) - 1;
        assertThat(tick(wallet, room, minute)).isEqualTo(new MinuteRecorded(room, minute));
        sentTicks.add(room + ":" + minute);
      } else if (choice < 88 && !sentTicks.isEmpty()) {
        String[] again = sentTicks.get(random.nextInt(sentTicks.size())).split(":");
        int minute = Integer.parseInt(again[1]);
        assertThat(tick(wallet, again[0], minute)).as("a retried tick").isEqualTo(new MinuteRecorded(again[0], minute));
      } else if (choice < 94) {
        State before = wallet.getState();
        State after = wallet.restart().state();
        assertThat(after).as("recovered from snapshot and events").isEqualTo(before);
        restarts++;
      } else {
        // Minutes to hours pass; the run crosses into December and January.
        java.time.YearMonth month = java.time.YearMonth.from(clock.instant().atZone(java.time.ZoneOffset.UTC));
        clock.advance(Duration.ofMinutes(1 + random.nextInt(600)));
        if (!month.equals(java.time.YearMonth.from(clock.instant().atZone(java.time.ZoneOffset.UTC)))) {
          // A month started: the wallet's own timer starts the period; let it, so that a restart
          // right after compares like with like.
          settle(wallet);
        }
      }
    }
    assertThat(restarts).isPositive();

    List<Event> events = persisted(wallet, tenant);
    long uniqueCredits = credits.values().stream().mapToLong(Long::longValue).sum();
    Set<String> uniqueMinutes = new HashSet<>(sentTicks);
    long expected = uniqueCredits - uniqueMinutes.size() * RATE;
    assertThat(wallet.getState().balance()).isEqualTo(expected);
    assertLedgerAddsUp(events, wallet.getState());
    List<String> debitedMinutes = events.stream()
        .filter(Debited.class::isInstance).map(Debited.class::cast)
        .filter(debit -> debit.kind() == DebitKind.CALL_MINUTE)
        .map(debit -> debit.roomId() + ":" + debit.minuteIndex()).toList();
    assertThat(debitedMinutes).as("no minute debited twice").doesNotHaveDuplicates();
    assertThat(new HashSet<>(debitedMinutes)).as("no minute missed").isEqualTo(uniqueMinutes);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 8, 9})
  void withPlanChangesAndMonthsPassingTheLedgerStillAddsUpAndReplayEqualsTheSnapshot(long seed) {
    Random random = new Random(seed);
    MovableClock clock = new MovableClock(START);
    String tenant = "tenant-" + UUID.randomUUID();
    var wallet = newWallet(tenant, clock);
    wallet.<OpenReply>runCommand(replyTo -> new Open("EUR", new Plan.Trial(30, START.plus(Duration.ofDays(3))), replyTo));
    List<Plan> plans = List.of(new Plan.PayAsYouGo(RATE), new Plan.Subscription(2_900, 100, 40, 3, 2),
        new Plan.Subscription(9_900, 500, 30, null, null), new Plan.PayAsYouGo(70));
    Map<String, Integer> nextMinute = new HashMap<>();
    for (int step = 0; step < 300; step++) {
      int choice = random.nextInt(100);
      if (choice < 10) {
        credit(wallet, "t-" + step, 1 + random.nextInt(20_000));
      } else if (choice < 15) {
        Plan plan = plans.get(random.nextInt(plans.size()));
        wallet.<Wallet.PlanChangeReply>runCommand(replyTo -> new Wallet.ChangePlan(plan, replyTo));
      } else if (choice < 80) {
        String room = "room-" + random.nextInt(4);
        int minute = nextMinute.merge(room, 1, Integer::sum) - 1;
        tick(wallet, room, minute);
      } else if (choice < 88) {
        wallet.restart();
      } else {
        clock.advance(Duration.ofHours(1 + random.nextInt(24 * 12)));
      }
    }
    // Time may have passed a month's start since the last command: the wallet's own timer then
    // starts the new period (at once after a restart). Let that happen before comparing.
    settle(wallet);
    List<Event> events = persisted(wallet, tenant);
    assertLedgerAddsUp(events, wallet.getState());
    assertThat(events).as("plan fees were charged").anyMatch(event ->
        event instanceof Debited debit && debit.kind() == DebitKind.PLAN_FEE);
    State replayed = State.EMPTY.applyAll(events);
    assertThat(replayed).as("a replay of every event").isEqualTo(wallet.getState());
    assertThat(wallet.restart().state()).as("recovery from the latest snapshot").isEqualTo(replayed);
  }

  /** Restarts the wallet and waits until its state stops changing (its timers have caught up). */
  private static void settle(EventSourcedBehaviorTestKit<Command, Event, State> wallet) {
    wallet.restart();
    State before = wallet.getState();
    while (true) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      State now = wallet.getState();
      if (now.equals(before)) return;
      before = now;
    }
  }

  /**
   * A tick sender like a call room (at-least-once: it retries a tick until the wallet answers)
   * behind a link that loses requests and replies, while the wallet's journal fails once and
   * the wallet is stopped and started again: every minute is debited exactly once.
   */
  @Test
  void ticksThroughALossyLinkWithRetriesAreDebitedExactlyOnce() throws Exception {
    Random random = new Random(99);
    MovableClock clock = new MovableClock(START);
    String tenant = "tenant-" + UUID.randomUUID();
    String persistenceId = "Wallet|" + tenant;
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    AtomicReference<ActorRef<Command>> wallet = new AtomicReference<>(
        testKit.spawn(Wallet.create(tenant, clock, 10)));
    OpenReply opened = AskPattern.<Command, OpenReply>ask(wallet.get(),
        replyTo -> new Open("EUR", new Plan.PayAsYouGo(RATE), replyTo), Duration.ofSeconds(3), testKit.scheduler())
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(opened).isInstanceOf(WalletView.class);
    AtomicInteger lost = new AtomicInteger();
    ActorRef<DebitMinute> link = testKit.spawn(lossyLink(wallet, new Random(7), lost));

    int minutes = 30;
    int attempts = 0;
    for (int minute = 0; minute < minutes; minute++) {
      if (minute == 10) journal.failNextPersisted(persistenceId);
      if (minute == 20) {
        testKit.stop(wallet.get());
        wallet.set(testKit.spawn(Wallet.create(tenant, clock, 10)));
      }
      attempts += sendUntilAnswered(link, "room-1", minute);
      if (random.nextInt(5) == 0 && minute > 0) {
        // The room restarted and sends its last minutes again, as at-least-once delivery may.
        attempts += sendUntilAnswered(link, "room-1", minute - 1);
        attempts += sendUntilAnswered(link, "room-1", minute);
      }
    }
    assertThat(lost.get()).as("the link lost messages").isGreaterThan(3);
    assertThat(attempts).isGreaterThan(minutes);

    List<Debited> debits = journal.persistedInStorage(persistenceId).stream()
        .filter(Debited.class::isInstance).map(Debited.class::cast).toList();
    assertThat(debits).extracting(Debited::minuteIndex).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.range(0, minutes).boxed().toList());
    WalletView view = AskPattern.<Command, WalletView>ask(wallet.get(), Wallet.GetWallet::new, Duration.ofSeconds(3),
        testKit.scheduler()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(view.balance()).isEqualTo(-minutes * RATE);
  }

  /** Forwards ticks to the current wallet, losing about a quarter of the requests and of the replies. */
  private static Behavior<DebitMinute> lossyLink(AtomicReference<ActorRef<Command>> wallet, Random random,
      AtomicInteger lost) {
    return Behaviors.setup(context -> Behaviors.receiveMessage(tick -> {
      if (random.nextInt(4) == 0) {
        lost.incrementAndGet();
        return Behaviors.same();
      }
      boolean loseReply = random.nextInt(4) == 0;
      if (loseReply) lost.incrementAndGet();
      ActorRef<DebitReply> replyTo = loseReply ? context.getSystem().ignoreRef() : tick.replyTo();
      wallet.get().tell(new DebitMinute(tick.roomId(), tick.minuteIndex(), replyTo));
      return Behaviors.same();
    }));
  }

  /** At-least-once: the same tick again until an answer comes; returns the attempts it took. */
  private static int sendUntilAnswered(ActorRef<DebitMinute> link, String room, int minute) throws Exception {
    for (int attempt = 1; attempt <= 50; attempt++) {
      try {
        DebitReply reply = AskPattern.<DebitMinute, DebitReply>ask(link,
                replyTo -> new DebitMinute(room, minute, replyTo), Duration.ofMillis(150), testKit.scheduler())
            .toCompletableFuture().get(2, TimeUnit.SECONDS);
        assertThat(reply).isEqualTo(new MinuteRecorded(room, minute));
        return attempt;
      } catch (java.util.concurrent.ExecutionException timedOut) {
        // lost on the way, or the wallet was restarting: send it again
      }
    }
    throw new AssertionError("tick " + room + ":" + minute + " never answered");
  }

  private static EventSourcedBehaviorTestKit<Command, Event, State> newWallet(String tenant, MovableClock clock) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), Wallet.create(tenant, clock, 10),
        EventSourcedBehaviorTestKit.enabledSerializationSettings());
  }

  private static CreditReply credit(EventSourcedBehaviorTestKit<Command, Event, State> wallet, String reference,
      long amount) {
    CreditReply reply = wallet.<CreditReply>runCommand(
        replyTo -> new Credit(reference, CreditKind.TOP_UP, amount, null, replyTo)).reply();
    assertThat(reply).isInstanceOf(CreditRecorded.class);
    return reply;
  }

  private static DebitReply tick(EventSourcedBehaviorTestKit<Command, Event, State> wallet, String room, int minute) {
    return wallet.<DebitReply>runCommand(replyTo -> new DebitMinute(room, minute, replyTo)).reply();
  }

  private static List<Event> persisted(EventSourcedBehaviorTestKit<Command, Event, State> wallet, String tenant) {
    return wallet.persistenceTestKit().persistedInStorage("Wallet|" + tenant).stream().map(Event.class::cast).toList();
  }

  /** Every ledger entry's balance-after follows from the one before; the last is the wallet's balance. */
  static void assertLedgerAddsUp(List<Event> events, State state) {
    long running = 0;
    Set<String> references = new HashSet<>();
    for (Event event : events) {
      if (!(event instanceof LedgerEntry entry)) continue;
      running += entry.signedAmount();
      assertThat(entry.balanceAfter()).as("balance after %s", entry.reference()).isEqualTo(running);
      assertThat(references.add(entry.reference())).as("unique reference %s", entry.reference()).isTrue();
    }
    assertThat(state.balance()).isEqualTo(running);
  }
}
