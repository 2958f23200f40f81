package io.videoshop.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.wallet.Wallet.Event;
import io.videoshop.wallet.Wallet.State;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Statements of random histories (made with the wallet's own pure decisions: credits, minutes,
 * plan changes, months passing): each month's sums reconcile exactly with the ledger, and each
 * month opens with the balance the one before closed with.
 */
class StatementTest {
  private static final Instant START = Instant.parse("2026-09-20T09:00:00Z");

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13, 14, 15})
  void everyMonthReconcilesWithTheLedger(long seed) {
    Random random = new Random(seed);
    List<LedgerEntries.Line> ledger = history(random);
    YearMonth first = Wallet.periodOf(START);
    YearMonth last = Wallet.periodOf(ledger.get(ledger.size() - 1).at());
    Instant asOf = Wallet.startOf(last.plusMonths(1));
    long opening = 0;
    int months = 0;
    for (YearMonth month = first; !month.isAfter(last); month = month.plusMonths(1), months++) {
      Instant from = Wallet.startOf(month);
      Instant to = Wallet.startOf(month.plusMonths(1));
      List<LedgerEntries.Line> entries = ledger.stream().filter(l -> !l.at().isBefore(from) && l.at().isBefore(to))
          .toList();
      Statement statement = Statement.of("t", month, "EUR", asOf, opening, entries);
      assertThat(statement.closed()).isTrue();
      long lastBalance = entries.isEmpty() ? opening : entries.get(entries.size() - 1).balanceAfter();
      assertThat(statement.closingBalance()).as("closing of %s", month).isEqualTo(lastBalance);
      assertThat(statement.closingBalance()).isEqualTo(statement.openingBalance() + statement.totalCredits()
          - statement.totalUsage() - statement.totalPlanFees());
      assertThat(statement.usage().stream().mapToLong(Statement.UsageDay::amount).sum())
          .isEqualTo(statement.totalUsage());
      assertThat(statement.usage().stream().mapToInt(Statement.UsageDay::minutes).sum())
          .isEqualTo(statement.totalMinutes());
      assertThat(statement.credits().stream().mapToLong(Statement.CreditLine::amount).sum())
          .isEqualTo(statement.totalCredits());
      assertThat(statement.planFees().stream().mapToLong(Statement.FeeLine::amount).sum())
          .isEqualTo(statement.totalPlanFees());
      long csvSum = statement.csv().lines().skip(1)
          .map(line -> line.split(",", -1))
          .filter(cells -> !cells[5].isEmpty())
          .mapToLong(cells -> Long.parseLong(cells[5])).sum();
      assertThat(statement.openingBalance() + csvSum).as("the CSV adds up too").isEqualTo(statement.closingBalance());
      opening = statement.closingBalance();
    }
    assertThat(months).isGreaterThan(2);
    assertThat(ledger).anyMatch(line -> line.kind().equals("plan_fee"));
  }

  /** A wallet's ledger over some months, from its pure state transitions. */
  private static List<LedgerEntries.Line> history(Random random) {
    List<Plan> plans = List.of(new Plan.PayAsYouGo(45), new Plan.Subscription(4_900, 200, 35, null, 3),
        new Plan.Subscription(1_900, 50, 60, 2, 1));
    State state = State.EMPTY.apply(new Wallet.WalletOpened("EUR", new Plan.Trial(20, START.plus(Duration.ofDays(5))),
        Wallet.periodOf(START), START));
    Instant now = START;
    List<Event> events = new ArrayList<>();
    Map<String, Integer> minutes = new HashMap<>();
    for (int step = 0; step < 600; step++) {
      now = now.plus(Duration.ofMinutes(1 + random.nextInt(400)));
      List<Event> step_ = new ArrayList<>(state.periodsSince(now));
      State current = state.applyAll(step_);
      int choice = random.nextInt(100);
      if (choice < 10) {
        long amount = 1 + random.nextInt(30_000);
        step_.add(new Wallet.Credited("t-" + step, Wallet.CreditKind.values()[random.nextInt(4)], amount,
            current.balance() + amount, null, now));
      } else if (choice < 14) {
        Plan plan = plans.get(random.nextInt(plans.size()));
        step_.addAll(current.planChange(plan, now));
      } else {
        String room = "room-" + random.nextInt(5);
        int minute = minutes.merge(room, 1, Integer::sum) - 1;
        step_.add(current.minuteDebit(room, minute, now));
      }
      events.addAll(step_);
      state = state.applyAll(step_);
    }
    List<LedgerEntries.Line> lines = new ArrayList<>();
    long seq = 0;
    for (Event event : events) {
      seq++;
      if (event instanceof Wallet.Credited c) {
        lines.add(new LedgerEntries.Line(seq, c.reference(), LedgerEntries.CREDIT, c.kind().code(), c.amount(),
            c.balanceAfter(), null, null, false, null, c.at()));
      } else if (event instanceof Wallet.Debited d) {
        lines.add(new LedgerEntries.Line(seq, d.reference(), LedgerEntries.DEBIT, d.kind().code(), d.amount(),
            d.balanceAfter(), d.roomId(), d.minuteIndex(), d.included(), null, d.at()));
      }
    }
    WalletPropertyTest.assertLedgerAddsUp(events, state);
    return lines;
  }
}
