package io.videoshop.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Sign-in: token keys and lifetimes, invitation and reset lifetimes, login throttling; how often
 * API keys' usage of closed days goes into the audit trail.
 */
public record AuthSettings(
    String jwtSecret,
    List<String> jwtPreviousSecrets,
    Duration accessTokenTtl,
    Duration refreshTokenTtl,
    Duration invitationTtl,
    Duration passwordResetTtl,
    int maxLoginFailures,
    Duration loginFailureWindow,
    Duration loginLockout,
    Duration loginMaxLockout,
    Duration loginSlowdownStep,
    Duration sessionCheckTtl,
    Duration socketTicketTtl,
    Duration apiKeyUsageAuditInterval) {

  public static final int MIN_SECRET_LENGTH = 32;

  @Override
  public String toString() {
    return "AuthSettings[jwtSecret=" + (jwtSecret.isEmpty() ? "<random>" : "<set>") + ", previousSecrets="
        + jwtPreviousSecrets.size() + ", accessTokenTtl=" + accessTokenTtl + "]";
  }

  static AuthSettings read(SettingsReader at) {
    String secret = at.string("jwt-secret");
    if (!secret.isEmpty() && secret.length() < MIN_SECRET_LENGTH) {
      at.problem("jwt-secret", "must be at least " + MIN_SECRET_LENGTH + " characters, was " + secret.length());
    }
    List<String> previous = Arrays.stream(at.string("jwt-previous-secrets").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (previous.stream().anyMatch(s -> s.length() < MIN_SECRET_LENGTH)) {
      at.problem("jwt-previous-secrets", "each must be at least " + MIN_SECRET_LENGTH + " characters");
    }
    SettingsReader login = at.at("login");
    return new AuthSettings(secret, previous,
        at.positiveDuration("access-token-ttl"), at.positiveDuration("refresh-token-ttl"),
        at.positiveDuration("invitation-ttl"), at.positiveDuration("password-reset-ttl"),
        login.intBetween("max-failures", 1, 1000), login.positiveDuration("failure-window"),
        login.positiveDuration("lockout"), login.positiveDuration("max-lockout"), login.positiveDuration("slowdown-step"),
        at.positiveDuration("session-check-ttl"), at.positiveDuration("socket-ticket-ttl"),
        at.positiveDuration("api-key-usage-audit-interval"));
  }
}
