package io.videoshop.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a message's next attempt is due: at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
 * 10 h after each failure (Standard Webhooks' schedule), each delay stretched by up to 10 %
 * jitter so endpoints that failed together are not retried together. After the eighth failed
 * attempt the message is failed. A {@code Retry-After} answer (429, 502, 503, 504) is honoured:
 * the next attempt waits at least that long, at most {@link #MAX_RETRY_AFTER}.
 */
public final class RetrySchedule {
  public static final List<Duration> DELAYS = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
      Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
  public static final int MAX_ATTEMPTS = DELAYS.size();
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(10);
  static final double JITTER = 0.10;

  private RetrySchedule() {}

  /**
   * The wait before the next attempt after {@code failedAttempts} attempts failed; empty when the
   * message is failed for good.
   */
  public static Optional<Duration> delayAfter(int failedAttempts, Optional<Duration> retryAfter,
      RandomGenerator random) {
    if (failedAttempts < 1) return Optional.of(Duration.ZERO);
    if (failedAttempts >= MAX_ATTEMPTS) return Optional.empty();
    Duration base = DELAYS.get(failedAttempts);
    Duration jittered = base.plusMillis((long) (base.toMillis() * JITTER * random.nextDouble()));
    Duration asked = retryAfter.map(d -> d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d).orElse(Duration.ZERO);
    return Optional.of(asked.compareTo(jittered) > 0 ? asked : jittered);
  }
}
