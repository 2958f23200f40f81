package io.videoshop.config;

import java.time.Duration;

/**
 * Billing: the trial a new tenant's wallet opens with, when a wallet counts as low, and the
 * payment provider's webhook (Stripe's signing scheme).
 *
 * @param trialFreeMinutes call minutes a trial includes
 * @param trialLength how long a trial lasts from the tenant's creation
 * @param lowBalanceMinutes a wallet with fewer call minutes left than this is low (0: never low)
 * @param stripeWebhookSecret the endpoint's signing secret ({@code whsec_...}); empty: the webhook
 *     refuses every delivery with 503 {@code webhook_not_configured}
 * @param stripeTolerance how far a signature's timestamp may be from now
 */
public record BillingSettings(
    int trialFreeMinutes,
    Duration trialLength,
    int lowBalanceMinutes,
    String stripeWebhookSecret,
    Duration stripeTolerance) {

  public static final int MIN_WEBHOOK_SECRET_LENGTH = 16;

  public boolean webhookConfigured() {
    return !stripeWebhookSecret.isEmpty();
  }

  @Override
  public String toString() {
    return "BillingSettings[trialFreeMinutes=" + trialFreeMinutes + ", trialLength=" + trialLength
        + ", lowBalanceMinutes=" + lowBalanceMinutes + ", stripeWebhookSecret="
        + (webhookConfigured() ? "<set>" : "<none>") + ", stripeTolerance=" + stripeTolerance + "]";
  }

  static BillingSettings read(SettingsReader at) {
    SettingsReader trial = at.at("trial");
    SettingsReader stripe = at.at("stripe");
    String secret = stripe.string("webhook-secret").trim();
    if (!secret.isEmpty() && secret.length() < MIN_WEBHOOK_SECRET_LENGTH) {
      stripe.problem("webhook-secret", "must be at least " + MIN_WEBHOOK_SECRET_LENGTH
          + " characters (Stripe's look like whsec_...), was " + secret.length());
    }
    Duration tolerance = stripe.positiveDuration("tolerance");
    if (tolerance.compareTo(Duration.ofHours(1)) > 0) {
      stripe.problem("tolerance", "must be at most 1h (a longer window lets old deliveries be replayed), was "
          + tolerance);
    }
    return new BillingSettings(
        trial.intBetween("free-minutes", 0, 1_000_000),
        trial.positiveDuration("length"),
        at.intBetween("low-balance-minutes", 0, 10_000),
        secret,
        tolerance);
  }
}
