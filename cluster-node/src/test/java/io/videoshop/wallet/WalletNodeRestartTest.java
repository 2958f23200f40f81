package io.videoshop.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The wallet through Cluster Sharding on real nodes and PostgreSQL: a node is stopped, another
 * starts on the same database, and the ticks and top-up the first one had answered are sent
 * again. Nothing is debited or credited twice, and the ledger projection wrote each entry once.
 */
class WalletNodeRestartTest {
  private static final String TENANT = "tenant-wallet-restart";
  private static final long RATE = 20;

  @Test
  void retriedTicksAndTopUpsAfterTheWalletMovedToAnotherNodeChangeNothing() throws Exception {
    try (TestDatabase database = TestDatabase.postgres()) {
      VideoShopNode first = TestNodes.start(database);
      try {
        assertThat(WalletNodeRestartTest.<Wallet.OpenReply>ask(first,
            replyTo -> new Wallet.Open("EUR", new Plan.PayAsYouGo(RATE), replyTo)))
            .isInstanceOf(WalletView.class);
        credit(first);
        for (int minute = 0; minute < 10; minute++) tick(first, minute);
      } finally {
        first.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }

      VideoShopNode second = TestNodes.start(database);
      try {
        credit(second);
        for (int minute = 5; minute < 15; minute++) tick(second, minute);
        WalletView view = ask(second, Wallet.GetWallet::new);
        assertThat(view.balance()).isEqualTo(10_000 - 15 * RATE);

        LedgerEntries ledger = second.platform().ledger;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(ledger.between(TENANT, Instant.EPOCH, Instant.now().plusSeconds(60))).hasSize(16));
        List<LedgerEntries.Line> entries = ledger.between(TENANT, Instant.EPOCH, Instant.now().plusSeconds(60));
        assertThat(entries).extracting(LedgerEntries.Line::reference).doesNotHaveDuplicates();
        assertThat(entries.get(entries.size() - 1).balanceAfter()).isEqualTo(view.balance());
        Statement statement = Statement.of(TENANT, view.period(), "EUR", Instant.now(),
            ledger.balanceBefore(TENANT, Wallet.startOf(view.period())),
            ledger.between(TENANT, Wallet.startOf(view.period()), Wallet.startOf(view.period().plusMonths(1))));
        assertThat(statement.closingBalance()).isEqualTo(view.balance());
      } finally {
        second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void credit(VideoShopNode node) throws Exception {
    Wallet.CreditReply reply = ask(node, replyTo ->
        new Wallet.Credit("api:first-top-up", Wallet.CreditKind.TOP_UP, 10_000, null, replyTo));
    assertThat(reply).isEqualTo(new Wallet.CreditRecorded("api:first-top-up", Wallet.CreditKind.TOP_UP, 10_000,
        10_000));
  }

  private static void tick(VideoShopNode node, int minute) throws Exception {
    Wallet.DebitReply reply = ask(node, replyTo -> new Wallet.DebitMinute("room-1", minute, replyTo));
    assertThat(reply).isEqualTo(new Wallet.MinuteRecorded("room-1", minute));
  }

  private static <R> R ask(VideoShopNode node, Function<ActorRef<R>, Wallet.Command> message) throws Exception {
    return node.platform().wallets.<R>ask(TENANT, message).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
