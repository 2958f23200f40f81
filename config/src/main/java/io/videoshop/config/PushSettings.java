package io.videoshop.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Web push to agents' browsers: the VAPID contact ({@code sub}), which push services the node
 * may post to (a subscription's endpoint is a URL a browser hands us, so only known push
 * services are accepted), the request time-out and how many browsers one user may subscribe.
 */
public record PushSettings(
    String subject, List<String> endpointHosts, boolean allowPlainHttp, Duration requestTimeout,
    int maxSubscriptionsPerUser) {

  /** Whether a push endpoint's host is one of the allowed push services (exact, or a subdomain of ".suffix"). */
  public boolean allowsHost(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    for (String allowed : endpointHosts) {
      if (allowed.startsWith(".") ? lower.endsWith(allowed) : lower.equals(allowed)) return true;
    }
    return false;
  }

  static PushSettings read(SettingsReader at) {
    String subject = at.string("subject");
    if (!subject.startsWith("mailto:") && !subject.startsWith("https://")) {
      at.problem("subject", "must be a mailto: or https: URL (the push services' contact for this platform), was \""
          + subject + "\"");
    }
    List<String> hosts = Arrays.stream(at.string("endpoint-hosts").split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT)).toList();
    if (hosts.isEmpty()) at.problem("endpoint-hosts", "must name at least one push service host");
    return new PushSettings(subject, hosts, at.bool("allow-plain-http"), at.positiveDuration("request-timeout"),
        at.intBetween("max-subscriptions-per-user", 1, 100));
  }
}
