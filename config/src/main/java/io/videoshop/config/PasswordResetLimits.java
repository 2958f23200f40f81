package io.videoshop.config;

import java.time.Duration;

/**
 * How many password resets may be asked for within a window: per address asked for (account or
 * not) and per client address. Read from {@code videoshop.auth.password-reset}.
 */
public record PasswordResetLimits(int perAccount, int perClientAddress, Duration window) {

  static PasswordResetLimits read(SettingsReader at) {
    return new PasswordResetLimits(at.intBetween("max-per-account", 1, 1000),
        at.intBetween("max-per-client-address", 1, 100000), at.positiveDuration("window"));
  }
}
