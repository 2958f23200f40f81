package io.videoshop.wallet;

import io.videoshop.node.EntityTestKits;
import io.videoshop.node.MovableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.wallet.Wallet.BalanceLevelChanged;
import io.videoshop.wallet.Wallet.ChangePlan;
import io.videoshop.wallet.Wallet.Command;
import io.videoshop.wallet.Wallet.Credit;
import io.videoshop.wallet.Wallet.CreditKind;
import io.videoshop.wallet.Wallet.CreditRecorded;
import io.videoshop.wallet.Wallet.CreditReply;
import io.videoshop.wallet.Wallet.DebitMinute;
import io.videoshop.wallet.Wallet.DebitReply;
import io.videoshop.wallet.Wallet.Debited;
import io.videoshop.wallet.Wallet.DebitKind;
import io.videoshop.wallet.Wallet.Event;
import io.videoshop.wallet.Wallet.MinuteRecorded;
import io.videoshop.wallet.Wallet.Open;
import io.videoshop.wallet.Wallet.OpenReply;
import io.videoshop.wallet.Wallet.PeriodStarted;
import io.videoshop.wallet.Wallet.PlanChangeAccepted;
import io.videoshop.wallet.Wallet.PlanChangeReply;
import io.videoshop.wallet.Wallet.PlanChangeScheduled;
import io.videoshop.wallet.Wallet.PlanChanged;
import io.videoshop.wallet.Wallet.Refusal;
import io.videoshop.wallet.Wallet.Refused;
import io.videoshop.wallet.Wallet.State;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResult;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wallet entity on its own, in an in-memory journal with snapshots. The test kit serializes
 * every command, event, reply and state (and checks they come back equal); time only moves when a
 * test says so.
 */
class WalletTest {
  static final Instant START = Instant.parse("2026-11-10T10:00:00Z");
  static final int LOW_BALANCE_MINUTES = 10;
  static final Plan.PayAsYouGo PAYG = new Plan.PayAsYouGo(50);
  static final Plan.Subscription SMALL = new Plan.Subscription(3_000, 100, 40, 3, 2);
  static final Plan.Subscription LARGE = new Plan.Subscription(9_000, 600, 30, 10, 5);

  static final ActorTestKit testKit = ActorTestKit.create(EntityTestKits.config());
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  private MovableClock clock;
  private EventSourcedBehaviorTestKit<Command, Event, State> wallet;

  @BeforeEach
  void newWallet() {
    clock = new MovableClock(START);
    wallet = newWallet(clock);
  }

  static EventSourcedBehaviorTestKit<Command, Event, State> newWallet(MovableClock clock) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        Wallet.create("tenant-" + UUID.randomUUID(), clock, LOW_BALANCE_MINUTES),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  // Helpers in the product's words

  private WalletView open(Plan plan) {
    OpenReply reply = wallet.<OpenReply>runCommand(replyTo -> new Open("EUR", plan, replyTo)).reply();
    assertThat(reply).isInstanceOf(WalletView.class);
    return (WalletView) reply;
  }

  private WalletView openTrial() {
    return open(new Plan.Trial(60, START.plus(Duration.ofDays(14))));
  }

  private CommandResultWithReply<Command, Event, State, CreditReply> topUp(String reference, long amount) {
    return wallet.runCommand(replyTo -> new Credit(reference, CreditKind.TOP_UP, amount, null, replyTo));
  }

  private CommandResultWithReply<Command, Event, State, DebitReply> tick(String room, int minute) {
    return wallet.runCommand(replyTo -> new DebitMinute(room, minute, replyTo));
  }

  private CommandResultWithReply<Command, Event, State, PlanChangeReply> changePlan(Plan plan) {
    return wallet.runCommand(replyTo -> new ChangePlan(plan, replyTo));
  }

  private WalletView view() {
    return wallet.<WalletView>runCommand(Wallet.GetWallet::new).reply();
  }

  private static <E extends Event> List<E> of(CommandResult<Command, Event, State> result, Class<E> type) {
    return result.events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  // Opening

  @Test
  void openingIsIdempotentAndStartsWithTheTrialsFreeMinutes() {
    WalletView first = openTrial();
    assertThat(first.open()).isTrue();
    assertThat(first.balance()).isZero();
    assertThat(first.includedMinutesLeft()).isEqualTo(60);
    assertThat(first.admission().admitting()).isTrue();
    assertThat(first.period()).isEqualTo(YearMonth.of(2026, 11));

    var again = wallet.<OpenReply>runCommand(replyTo -> new Open("USD", PAYG, replyTo));
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(((WalletView) again.reply()).currency()).as("the first opening counts").isEqualTo("EUR");
  }

  @Test
  void anUnopenedWalletRefusesMoneyAndAdmitsNobody() {
    assertThat(topUp("t-1", 100).reply()).isEqualTo(new Refused(Refusal.WALLET_NOT_OPEN));
    assertThat(tick("room-1", 0).reply()).isEqualTo(new Refused(Refusal.WALLET_NOT_OPEN));
    assertThat(view().admission()).isEqualTo(Admission.NOT_OPEN);
    var badCurrency = wallet.<OpenReply>runCommand(replyTo -> new Open("euro", PAYG, replyTo));
    assertThat(badCurrency.reply()).isEqualTo(new Refused(Refusal.INVALID_CURRENCY));
    assertThat(badCurrency.hasNoEvents()).isTrue();
  }

  // Credits

  @Test
  void aCreditIsRecordedOncePerReferenceAndARepeatGetsTheFirstAnswer() {
    open(PAYG);
    var first = topUp("top-up-1", 5_000);
    assertThat(first.reply()).isEqualTo(new CreditRecorded("top-up-1", CreditKind.TOP_UP, 5_000, 5_000));
    assertThat(topUp("top-up-2", 1_000).reply()).isEqualTo(
        new CreditRecorded("top-up-2", CreditKind.TOP_UP, 1_000, 6_000));

    var repeat = topUp("top-up-1", 5_000);
    assertThat(repeat.reply()).isEqualTo(first.reply());
    assertThat(repeat.hasNoEvents()).isTrue();
    var reused = topUp("top-up-1", 7_000);
    assertThat(reused.reply()).isEqualTo(new Refused(Refusal.REFERENCE_REUSED));
    assertThat(reused.hasNoEvents()).isTrue();
    assertThat(view().balance()).isEqualTo(6_000);
  }

  @Test
  void badCreditsAreRefusedAndChangeNothing() {
    open(PAYG);
    for (var result : List.of(topUp("x", 0), topUp("x", -5), topUp("has space", 10), topUp("", 10))) {
      assertThat(result.reply()).isInstanceOf(Refused.class);
      assertThat(result.hasNoEvents()).isTrue();
    }
    assertThat(view().balance()).isZero();
  }

  // Minutes

  @Test
  void aRetriedTickGetsTheSameAnswerAndNoSecondDebitAlsoAfterARestart() {
    open(PAYG);
    topUp("t", 10_000);
    var first = tick("room-1", 0);
    assertThat(first.reply()).isEqualTo(new MinuteRecorded("room-1", 0));
    assertThat(of(first, Debited.class)).singleElement()
        .satisfies(d -> assertThat(d.amount()).isEqualTo(50))
        .satisfies(d -> assertThat(d.reference()).isEqualTo("minute:room-1:0"));

    var retry = tick("room-1", 0);
    assertThat(retry.reply()).isEqualTo(first.reply());
    assertThat(retry.hasNoEvents()).isTrue();

    wallet.restart();
    var afterRestart = tick("room-1", 0);
    assertThat(afterRestart.reply()).isEqualTo(first.reply());
    assertThat(afterRestart.hasNoEvents()).isTrue();
    assertThat(view().balance()).isEqualTo(10_000 - 50);
  }

  @Test
  void minutesArrivingOutOfOrderAreEachDebitedOnce() {
    open(PAYG);
    topUp("t", 10_000);
    tick("room-1", 1);
    tick("room-1", 2);
    assertThat(tick("room-1", 1).hasNoEvents()).isTrue();
    assertThat(tick("room-1", 0).events()).hasSize(1);
    assertThat(wallet.getState().rooms().get("room-1").contiguousThrough()).isEqualTo(2);
    assertThat(wallet.getState().rooms().get("room-1").beyond()).isEmpty();
    assertThat(view().balance()).isEqualTo(10_000 - 3 * 50);
  }

  @Test
  void aBrokenTickIsRefused() {
    open(PAYG);
    assertThat(tick("room-1", -1).reply()).isEqualTo(new Refused(Refusal.INVALID_TICK));
    assertThat(tick("room 1", 0).reply()).isEqualTo(new Refused(Refusal.INVALID_TICK));
    assertThat(tick("room-1", Wallet.MAX_MINUTE_INDEX + 1).reply()).isEqualTo(new Refused(Refusal.INVALID_TICK));
  }

  @Test
  void includedMinutesAreFreeThenChargedAtTheRate() {
    open(PAYG);
    topUp("t", 100_000);
    // 3 included minutes a month, 21 of 30 days left: 2 for the rest of November.
    changePlan(new Plan.Subscription(0, 3, 40, null, null));
    assertThat(of(tick("room-1", 0), Debited.class).get(0)).extracting(Debited::amount, Debited::included)
        .containsExactly(0L, true);
    tick("room-1", 1);
    assertThat(of(tick("room-1", 2), Debited.class).get(0)).extracting(Debited::amount, Debited::included)
        .containsExactly(40L, false);
    WalletView.Usage usage = view().usage();
    assertThat(usage.minutes()).isEqualTo(3);
    assertThat(usage.includedMinutes()).isEqualTo(2);
    assertThat(usage.minuteAmount()).isEqualTo(40);
  }

  @Test
  void roomsAreForgottenTwoDaysAfterTheirLastTickWhenANewCallStarts() {
    open(PAYG);
    topUp("t", 100_000);
    tick("room-old", 0);
    clock.advance(Wallet.ROOM_MEMORY.plusMinutes(1));
    tick("room-new", 0);
    assertThat(wallet.getState().rooms()).containsOnlyKeys("room-new");
  }

  @Test
  void aTickRedeliveredLaterThanTheRoomMemoryIsNeverDebitedTwice() {
    open(PAYG);
    topUp("t", 100_000);
    Instant minuteAt = clock.instant();
    wallet.<DebitReply>runCommand(replyTo -> new DebitMinute("room-old", 0, minuteAt, replyTo));
    long balance = view().balance();
    clock.advance(Wallet.ROOM_MEMORY.plusMinutes(1));
    tick("room-new", 0); // forgets room-old
    long afterNew = view().balance();
    // The billing projection was down for two days and sends room-old's minute 0 again.
    var late = wallet.<DebitReply>runCommand(replyTo -> new DebitMinute("room-old", 0, minuteAt, replyTo));
    assertThat(late.reply()).isEqualTo(new Wallet.Refused(Wallet.Refusal.STALE_TICK));
    assertThat(late.events()).isEmpty();
    assertThat(view().balance()).isEqualTo(afterNew).isLessThan(balance);
    // A fresh minute of a remembered room is still debited as before.
    assertThat(wallet.<DebitReply>runCommand(replyTo -> new DebitMinute("room-new", 1, clock.instant(), replyTo))
        .reply()).isEqualTo(new Wallet.MinuteRecorded("room-new", 1));
  }

  // Plans

  @Test
  void anUpgradeTakesEffectAtOnceAndChargesTheRestOfTheMonthsFee() {
    open(PAYG);
    topUp("t", 100_000);
    var result = changePlan(SMALL);
    // 10 November: 21 of 30 days left.
    long fee = 3_000L * 21 / 30;
    assertThat(result.reply()).isEqualTo(new PlanChangeAccepted(SMALL, null, null, fee));
    assertThat(of(result, PlanChanged.class).get(0).includedMinutesLeft()).isEqualTo(100 * 21 / 30);
    assertThat(of(result, Debited.class)).singleElement()
        .satisfies(d -> assertThat(d.kind()).isEqualTo(DebitKind.PLAN_FEE));

    var bigger = changePlan(LARGE);
    long difference = (9_000L - 3_000L) * 21 / 30;
    assertThat(((PlanChangeAccepted) bigger.reply()).feeCharged()).isEqualTo(difference);
    assertThat(view().includedMinutesLeft()).isEqualTo(100 * 21 / 30 + (600 - 100) * 21 / 30);
    assertThat(view().balance()).isEqualTo(100_000 - fee - difference);
    assertThat(view().admission().concurrentCallLimit()).isEqualTo(5);
  }

  @Test
  void aDowngradeWaitsForTheNextPeriodWhichStartsWithTheNewPlansFee() {
    open(PAYG);
    topUp("t", 100_000);
    changePlan(LARGE);
    var downgrade = changePlan(SMALL);
    assertThat(downgrade.reply()).isEqualTo(new PlanChangeAccepted(LARGE, SMALL, YearMonth.of(2026, 12), 0));
    assertThat(of(downgrade, PlanChangeScheduled.class)).hasSize(1);
    assertThat(view().plan()).isEqualTo(LARGE);
    long balanceBefore = view().balance();

    clock.set(Instant.parse("2026-12-03T08:00:00Z"));
    var december = tick("room-1", 0);
    PeriodStarted started = of(december, PeriodStarted.class).get(0);
    assertThat(started.plan()).isEqualTo(SMALL);
    assertThat(started.at()).as("dated at the month's start").isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    Debited fee = of(december, Debited.class).get(0);
    assertThat(fee.reference()).isEqualTo("plan-fee:2026-12");
    assertThat(fee.amount()).isEqualTo(3_000);
    assertThat(view().plan()).isEqualTo(SMALL);
    assertThat(view().scheduledPlan()).isNull();
    assertThat(view().includedMinutesLeft()).isEqualTo(99);
    assertThat(view().balance()).isEqualTo(balanceBefore - 3_000);
  }

  @Test
  void choosingTheCurrentPlanAgainCancelsAWaitingDowngrade() {
    open(PAYG);
    topUp("t", 100_000);
    changePlan(SMALL);
    changePlan(PAYG);
    assertThat(view().scheduledPlan()).isEqualTo(PAYG);
    var cancel = changePlan(SMALL);
    assertThat(cancel.events()).singleElement().isInstanceOf(Wallet.ScheduledPlanChangeCancelled.class);
    assertThat(view().scheduledPlan()).isNull();
    assertThat(changePlan(SMALL).hasNoEvents()).as("the same plan again changes nothing").isTrue();
  }

  @Test
  void aPaidPlanCannotGoBackToATrialAndABadPlanIsRefused() {
    open(PAYG);
    assertThat(changePlan(new Plan.Trial(10, START.plusSeconds(3600))).reply())
        .isEqualTo(new Refused(Refusal.INVALID_PLAN_CHANGE));
    assertThat(changePlan(new Plan.PayAsYouGo(0)).reply()).isEqualTo(new Refused(Refusal.INVALID_PLAN));
    assertThat(changePlan(new Plan.Subscription(100, 10, 10, 0, null)).reply())
        .isEqualTo(new Refused(Refusal.INVALID_PLAN));
    assertThat(view().plan()).isEqualTo(PAYG);
  }

  @Test
  void everyMissedMonthIsChargedAtItsStart() {
    open(PAYG);
    topUp("t", 100_000);
    changePlan(SMALL);
    clock.set(Instant.parse("2027-02-15T12:00:00Z"));
    var result = wallet.<WalletView>runCommand(Wallet.GetWallet::new);
    assertThat(result.hasNoEvents()).as("reading changes nothing").isTrue();
    var catchUp = topUp("t2", 1);
    assertThat(of(catchUp, Debited.class)).extracting(Debited::reference)
        .containsExactly("plan-fee:2026-12", "plan-fee:2027-01", "plan-fee:2027-02");
    assertThat(view().period()).isEqualTo(YearMonth.of(2027, 2));
  }

  // Admission, levels and subscribers

  @Test
  void subscribersGetTheAdmissionAtOnceAndAgainOnlyWhenItChanges() {
    open(PAYG);
    topUp("t", 50 * 30);
    TestProbe<WalletUpdate> subscriber = testKit.createTestProbe();
    wallet.runCommand(new Wallet.Subscribe(subscriber.getRef()));
    Admission first = subscriber.receiveMessage().admission();
    assertThat(first).isEqualTo(new Admission(true, null, BalanceLevel.OK, null, null));

    for (int minute = 0; minute < 20; minute++) tick("room-1", minute);
    // 30 minutes were paid for; after 21 only 9 are left: low.
    tick("room-1", 20);
    Admission low = subscriber.receiveMessage().admission();
    assertThat(low.level()).isEqualTo(BalanceLevel.LOW);
    assertThat(low.admitting()).isTrue();
    for (int minute = 21; minute < 30; minute++) tick("room-1", minute);
    Admission exhausted = subscriber.receiveMessage().admission();
    assertThat(exhausted).isEqualTo(
        new Admission(false, Admission.Refusal.INSUFFICIENT_FUNDS, BalanceLevel.EXHAUSTED, null, null));
    subscriber.expectNoMessage(Duration.ofMillis(50));

    changePlan(SMALL);
    assertThat(subscriber.receiveMessage().admission().agentSeatLimit()).isEqualTo(3);

    wallet.runCommand(new Wallet.Unsubscribe(subscriber.getRef()));
    topUp("t2", 100_000);
    subscriber.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void lowBalanceAndExhaustionAreRecordedOnceEachTimeTheyAreReached() {
    open(PAYG);
    topUp("t", 50 * 12);
    List<BalanceLevelChanged> changes = new java.util.ArrayList<>();
    for (int minute = 0; minute < 14; minute++) changes.addAll(of(tick("room-1", minute), BalanceLevelChanged.class));
    assertThat(changes).extracting(BalanceLevelChanged::from, BalanceLevelChanged::to).containsExactly(
        org.assertj.core.groups.Tuple.tuple(BalanceLevel.OK, BalanceLevel.LOW),
        org.assertj.core.groups.Tuple.tuple(BalanceLevel.LOW, BalanceLevel.EXHAUSTED));
    assertThat(view().balance()).as("minutes that happened are debited, into debt").isEqualTo(600 - 14 * 50);
    var restored = topUp("t2", 10_000);
    assertThat(of(restored, BalanceLevelChanged.class)).singleElement()
        .satisfies(change -> assertThat(change.to()).isEqualTo(BalanceLevel.OK));
  }

  @Test
  void whenTheTrialEndsSubscribersAreToldPlanLimitByTheWalletsOwnTimer() {
    WalletView opened = open(new Plan.Trial(60, START.plus(Duration.ofHours(2))));
    assertThat(opened.admission().admitting()).isTrue();
    TestProbe<WalletUpdate> subscriber = testKit.createTestProbe();
    wallet.runCommand(new Wallet.Subscribe(subscriber.getRef()));
    subscriber.receiveMessage();

    clock.advance(Duration.ofHours(2));
    manualTime.timePasses(Duration.ofHours(2));
    Admission ended = subscriber.receiveMessage().admission();
    assertThat(ended).isEqualTo(
        new Admission(false, Admission.Refusal.PLAN_LIMIT, BalanceLevel.EXHAUSTED, null, null));
    assertThat(wallet.getState().level()).as("recorded as an event").isEqualTo(BalanceLevel.EXHAUSTED);
  }

  @Test
  void aTrialWhoseFreeMinutesAreUsedIsAtItsPlanLimit() {
    open(new Plan.Trial(2, START.plus(Duration.ofDays(14))));
    tick("room-1", 0);
    tick("room-1", 1);
    Debited grace = of(tick("room-1", 2), Debited.class).get(0);
    assertThat(grace.amount()).as("a trial's grace minute is free").isZero();
    assertThat(view().admission().refusal()).isEqualTo(Admission.Refusal.PLAN_LIMIT);
    // Extending the trial: the used minutes still count.
    changePlan(new Plan.Trial(10, START.plus(Duration.ofDays(20))));
    assertThat(view().includedMinutesLeft()).isEqualTo(8);
    assertThat(view().admission().admitting()).isTrue();
  }

  @Test
  void aRestartedWalletHasTheSameStateFromItsSnapshotAndEvents() {
    open(PAYG);
    topUp("t", 1_000_000);
    for (int minute = 0; minute < 250; minute++) tick("room-" + (minute % 7), minute / 7);
    State before = wallet.getState();
    State recovered = wallet.restart().state();
    assertThat(recovered).isEqualTo(before);
  }
}
