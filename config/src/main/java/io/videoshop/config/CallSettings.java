package io.videoshop.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Call rooms: room token lifetime, reconnect grace, no-show timeout, STUN/TURN servers, and how
 * often rooms left in a call by a node that died are looked for ({@code sweepInterval}).
 */
public record CallSettings(
    Duration roomTokenTtl, Duration reconnectGrace, Duration noShowTimeout, Duration balanceGrace, List<String> stunUrls,
    List<String> turnUrls, String turnSecret, Duration turnCredentialTtl, Duration sweepInterval) {

  @Override
  public String toString() {
    return "CallSettings[reconnectGrace=" + reconnectGrace + ", stun=" + stunUrls + ", turn=" + turnUrls + "]";
  }

  static CallSettings read(SettingsReader at) {
    SettingsReader ice = at.at("ice");
    List<String> stun = urls(ice, "stun-urls", "stun:");
    List<String> turn = urls(ice, "turn-urls", "turn");
    String secret = ice.string("turn-secret");
    if (!turn.isEmpty() && secret.isEmpty()) {
      ice.problem("turn-secret", "is required when videoshop.calls.ice.turn-urls is set");
    }
    return new CallSettings(at.positiveDuration("room-token-ttl"), at.positiveDuration("reconnect-grace"),
        at.positiveDuration("no-show-timeout"), at.positiveDuration("balance-grace"), stun, turn, secret,
        ice.positiveDuration("turn-credential-ttl"), at.positiveDuration("sweep-interval"));
  }

  private static List<String> urls(SettingsReader at, String name, String scheme) {
    List<String> urls = Arrays.stream(at.string(name).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    for (String url : urls) {
      if (!url.startsWith(scheme)) at.problem(name, "each URL must start with " + scheme + ", was \"" + url + "\"");
    }
    return urls;
  }
}
