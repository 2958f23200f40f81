package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.wallet.Wallet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.simplejavamail.api.email.Email;

/**
 * A wallet that falls to a low balance mails the tenant's owners, through the exactly-once
 * projection from the wallet's events into the outbox: once per fall, not again on exhaustion.
 */
class WalletMailTest {

  @Test
  void aWalletFallingLowMailsTheOwnersOnce() throws Exception {
    // 12 free trial minutes: after 3 of them, 9 are left (fewer than 10): low.
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(), "videoshop.billing.trial.free-minutes = 12")) {
      TestPlatform.TestTenant tenant = platform.tenant("lowbal");
      var tenantRecord = platform.node.platform().tenants.find(tenant.id()).orElseThrow();
      platform.node.platform().wallets.open(tenantRecord).toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (int minute = 0; minute < 14; minute++) {
        int index = minute;
        platform.node.platform().wallets.<Wallet.DebitReply>ask(tenant.id(),
            replyTo -> new Wallet.DebitMinute("room-1", index, replyTo)).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }

      await().atMost(Duration.ofSeconds(60)).until(() -> lowBalanceMails(platform).size() == 1);
      Email mail = lowBalanceMails(platform).get(0);
      assertThat(mail.getToRecipients()).singleElement().satisfies(to ->
          assertThat(to.getAddress()).isEqualTo("owner@lowbal.test"));
      assertThat(mail.getSubject()).isEqualTo("Shop lowbal: your call balance is low");
      assertThat(mail.getPlainText()).contains("about 9 call minutes left");
      assertThat(mail.getHeaders().get("List-Unsubscribe")).as("non-essential: unsubscribable").isNotEmpty();
      // The exhaustion that followed mails nobody; the low balance is not mailed twice.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> lowBalanceMails(platform).size() == 1);
      int rows = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT count(*) FROM outbox WHERE topic = 'low_balance'").mapTo(Integer.class).one());
      assertThat(rows).isEqualTo(1);
    }
  }

  private static List<Email> lowBalanceMails(TestPlatform platform) {
    return platform.mail.mails().stream()
        .filter(mail -> mail.getHeaders().getOrDefault("X-VideoShop-Template", List.of()).contains("low_balance"))
        .toList();
  }
}
