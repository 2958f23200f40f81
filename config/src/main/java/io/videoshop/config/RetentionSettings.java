package io.videoshop.config;

import java.time.Duration;

/**
 * How long each data class is kept (docs/privacy.md), and how the retention job runs: once per
 * {@code interval} on one node at a time (a lease in the database), {@code batchSize} rows per
 * statement, at most {@code maxBatches} per class and run.
 */
public record RetentionSettings(Duration deviceMetadata, Duration callMetadata, Duration auditLog, Duration billing,
    Duration inactiveShopper, Duration interval, int batchSize, int maxBatches) {

  static RetentionSettings read(SettingsReader at) {
    RetentionSettings settings = new RetentionSettings(at.positiveDuration("device-metadata"),
        at.positiveDuration("call-metadata"), at.positiveDuration("audit-log"), at.positiveDuration("billing"),
        at.positiveDuration("inactive-shopper"), at.positiveDuration("interval"), at.intBetween("batch-size", 1, 100_000),
        at.intBetween("max-batches", 1, 100_000));
    // Billing records are kept as the law asks; the audit trail at least as long as device metadata.
    if (settings.billing().compareTo(Duration.ofDays(365)) < 0) at.problem("billing", "must be at least 365d");
    if (settings.auditLog().compareTo(settings.deviceMetadata()) < 0) {
      at.problem("audit-log", "must be at least device-metadata");
    }
    return settings;
  }
}
