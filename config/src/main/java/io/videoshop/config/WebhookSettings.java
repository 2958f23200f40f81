package io.videoshop.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Webhooks to merchants' systems: the hosts the platform trusts (plain HTTP allowed, SSRF guard
 * skipped), the time-out of one attempt, how long delivery records are kept, how many
 * endpoints a tenant may register and how many attempts one node makes at once.
 */
public record WebhookSettings(List<String> allowedHosts, Duration requestTimeout, Duration retention,
    int maxEndpointsPerTenant, int parallelism) {

  static WebhookSettings read(SettingsReader at) {
    List<String> hosts = Arrays.stream(at.string("allowed-hosts").split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT)).toList();
    return new WebhookSettings(hosts, at.positiveDuration("request-timeout"), at.positiveDuration("retention"),
        at.intBetween("max-endpoints-per-tenant", 1, 1000), at.intBetween("parallelism", 1, 1024));
  }
}
