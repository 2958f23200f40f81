package io.videoshop.notification;

import io.videoshop.config.BillingSettings;
import io.videoshop.tenant.Tenants;
import io.videoshop.wallet.Plan;
import io.videoshop.wallet.WalletView;
import io.videoshop.wallet.Wallets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails a trial tenant's owners once when its trial ends within {@link #NOTICE}: an hourly check
 * on every node (a trial's end is a time, not an event). Each owner's mail has a dedup key, so
 * several nodes checking at once still mail once. Blocking: runs on its own thread.
 */
public final class TrialReminders {
  private static final Logger log = LoggerFactory.getLogger(TrialReminders.class);
  public static final Duration NOTICE = Duration.ofDays(3);

  private final Jdbi jdbi;
  private final Mails mails;
  private final Wallets wallets;
  private final Tenants tenants;
  private final BillingSettings billing;
  private final Clock clock;

  public TrialReminders(Jdbi jdbi, Mails mails, Wallets wallets, Tenants tenants, BillingSettings billing, Clock clock) {
    this.jdbi = jdbi;
    this.mails = mails;
    this.wallets = wallets;
    this.tenants = tenants;
    this.billing = billing;
    this.clock = clock;
  }

  /** Queues the reminders due now; how many mails it queued. */
  public int runOnce() {
    Instant now = clock.instant();
    // Trials still running that end within the notice: created after now - length, before now - length + notice.
    Instant endedBefore = now.minus(billing.trialLength());
    Instant endsSoon = endedBefore.plus(NOTICE);
    List<String> due = jdbi.withHandle(handle -> handle.createQuery("""
            SELECT id FROM tenants WHERE plan = :trial AND status = 'active' AND created_at > :endedBefore
              AND created_at <= :endsSoon ORDER BY id LIMIT 1000""")
        .bind("trial", Plan.TRIAL).bind("endedBefore", endedBefore).bind("endsSoon", endsSoon)
        .mapTo(String.class).list());
    int queued = 0;
    for (String tenantId : due) {
      try {
        queued += remind(tenantId);
      } catch (RuntimeException | SQLException e) {
        // Another node queued the same reminder at the same moment (dedup key), or the wallet did not answer.
        log.debug("Trial reminder for tenant {} not queued now: {}", tenantId, e.getClass().getSimpleName());
      }
    }
    return queued;
  }

  private int remind(String tenantId) throws SQLException {
    var tenant = tenants.find(tenantId).orElseThrow();
    int minutesLeft;
    try {
      WalletView wallet = wallets.open(tenant).toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (!(wallet.plan() instanceof Plan.Trial)) return 0;
      minutesLeft = wallet.includedMinutesLeft();
    } catch (Exception e) {
      throw new IllegalStateException("wallet of " + tenantId + " did not answer", e);
    }
    String endsAt = tenant.createdAt().plus(billing.trialLength()).atOffset(ZoneOffset.UTC).toLocalDate().toString();
    return jdbi.<Integer, SQLException>inTransaction(handle -> {
      Connection connection = handle.getConnection();
      int sent = 0;
      for (Mails.Owner owner : Mails.owners(connection, tenantId)) {
        if (mails.send(connection, new Mails.Mail(tenantId, "user:" + owner.id(), owner.email(), owner.language(),
            "trial_ending", Map.of("endsAt", endsAt, "minutesLeft", minutesLeft)), "trial_ending:" + tenantId + ":" + owner.id())) {
          sent++;
        }
      }
      return sent;
    });
  }

}
