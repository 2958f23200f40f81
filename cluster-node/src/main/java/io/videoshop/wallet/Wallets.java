package io.videoshop.wallet;

import io.videoshop.config.BillingSettings;
import io.videoshop.domain.DomainError;
import io.videoshop.http.Traced;
import io.videoshop.tenant.Tenant;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.function.Function;

/**
 * Reaches tenants' wallets through Cluster Sharding, asynchronously. Whoever first needs a
 * tenant's wallet opens it ({@link #open}): in the tenant's currency, with the trial the settings
 * give, counted from the tenant's creation, so it does not matter who comes first.
 */
public final class Wallets {
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final BillingSettings settings;

  public Wallets(ActorSystem<?> system, BillingSettings settings) {
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = io.videoshop.config.ClusterSettings.askTimeout(system.settings().config());
    this.settings = settings;
  }

  public BillingSettings settings() {
    return settings;
  }

  /** The tenant's wallet, opened first if it was not; the view of it as it is now. */
  public CompletionStage<WalletView> open(Tenant tenant) {
    Plan.Trial trial = new Plan.Trial(settings.trialFreeMinutes(), tenant.createdAt().plus(settings.trialLength()));
    return this.<Wallet.OpenReply>ask(tenant.id(), replyTo -> new Wallet.Open(tenant.settings().currency(), trial,
        replyTo)).thenApply(reply -> {
          if (reply instanceof WalletView view) return view;
          throw new IllegalStateException("wallet of " + tenant.id() + " cannot open: " + reply);
        });
  }

  /**
   * Asks a tenant's wallet; a wallet that does not answer in time is the domain error
   * {@code wallet_unavailable} (503 on the API). What runs on when it answers keeps the caller's
   * request id ({@link Traced#continuing}).
   */
  public <R> CompletionStage<R> ask(String tenantId, Function<ActorRef<R>, Wallet.Command> command) {
    return Traced.continuing(sharding.entityRefFor(Wallet.ENTITY_KEY, tenantId).<R>ask(command::apply, askTimeout)
        .exceptionally(failure -> {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof DomainError error) throw error;
          throw DomainError.unavailable("wallet_unavailable", "The wallet did not answer in time; try again");
        }));
  }

  /** Whether a refusal is the caller's fault (invalid, 422) rather than a conflict (409). */
  static DomainError problemFor(Wallet.Refusal refusal) {
    return switch (refusal) {
      case REFERENCE_REUSED -> DomainError.conflict("idempotency_key_reused",
          "This key was used before with another request");
      case WALLET_NOT_OPEN -> DomainError.conflict("wallet_not_open", "The wallet is not open");
      default -> DomainError.invalid("body", refusal.code(), "The wallet refused it: " + refusal.code());
    };
  }
}
