package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.Platform;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.simplejavamail.api.email.Email;

/** A trial ending within three days mails the tenant's owners once, however often the check runs. */
class TrialRemindersTest {

  @Test
  void aTrialEndingSoonMailsItsOwnersOnce() {
    try (TestPlatform platform = new TestPlatform(TestDatabase.h2InMemory(), "videoshop.billing.trial.length = 2d")) {
      TestPlatform.TestTenant tenant = platform.tenant("trial");
      Platform node = platform.node.platform();
      // Two days ago the trial (2 days from now) was not within three days of its end yet.
      Clock earlier = Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC);
      assertThat(new TrialReminders(node.jdbi, node.mails, node.wallets, node.tenants, node.settings.billing(), earlier)
          .runOnce()).isZero();

      assertThat(node.trialReminders.runOnce()).isEqualTo(1);
      assertThat(node.trialReminders.runOnce()).as("the second look finds it mailed").isZero();
      await().atMost(Duration.ofSeconds(30)).until(() -> trialMails(platform).size() == 1);
      Email mail = trialMails(platform).get(0);
      assertThat(mail.getToRecipients()).singleElement().satisfies(to ->
          assertThat(to.getAddress()).isEqualTo("owner@trial.test"));
      assertThat(mail.getPlainText()).contains("(60 free minutes left)");
      assertThat(tenant.id()).isNotBlank();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<Email> trialMails(TestPlatform platform) {
    return platform.mail.mails().stream()
        .filter(mail -> mail.getHeaders().getOrDefault("X-VideoShop-Template", List.of()).contains("trial_ending"))
        .toList();
  }
}
