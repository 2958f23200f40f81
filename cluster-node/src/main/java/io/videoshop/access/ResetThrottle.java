package io.videoshop.access;

import io.videoshop.config.PasswordResetLimits;
import io.videoshop.domain.DomainError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Fixed-window limits on password reset requests, per address asked for and per client address,
 * kept in {@code password_reset_requests} so every node counts together. A refused request does
 * not count; a counted one stays counted whatever happens next.
 */
final class ResetThrottle {
  private final PasswordResetLimits limits;
  private final Clock clock;

  ResetThrottle(PasswordResetLimits limits, Clock clock) {
    this.limits = limits;
    this.clock = clock;
  }

  /** Counts one request, or refuses it with 429 too_many_resets when either limit is reached. */
  void take(Jdbi jdbi, String email, String clientAddress) {
    Instant now = clock.instant();
    String account = "account:" + Secrets.sha256(email);
    String ip = clientAddress == null || clientAddress.isBlank() ? null : "ip:" + clientAddress;
    Optional<Duration> refused = jdbi.inTransaction(handle -> {
      Optional<Duration> wait = check(handle, account, limits.perAccount(), now);
      if (wait.isEmpty() && ip != null) wait = check(handle, ip, limits.perClientAddress(), now);
      if (wait.isEmpty()) {
        count(handle, account, now);
        if (ip != null) count(handle, ip, now);
      }
      return wait;
    });
    refused.ifPresent(wait -> {
      throw DomainError.tooManyRequests("too_many_resets", "Too many password reset requests; try again later", wait);
    });
  }

  private Optional<Duration> check(Handle handle, String subject, int limit, Instant now) {
    return handle.createQuery("""
            SELECT requests, window_started_at FROM password_reset_requests WHERE subject = :s FOR UPDATE""")
        .bind("s", subject)
        .map((rs, ctx) -> new Object[] {rs.getInt(1), rs.getTimestamp(2).toInstant()})
        .findOne()
        .filter(row -> ((Instant) row[1]).plus(limits.window()).isAfter(now) && (int) row[0] >= limit)
        .map(row -> Duration.between(now, ((Instant) row[1]).plus(limits.window())));
  }

  private void count(Handle handle, String subject, Instant now) {
    int updated = handle.createUpdate("""
            UPDATE password_reset_requests SET
              requests = CASE WHEN window_started_at > :windowStart THEN requests + 1 ELSE 1 END,
              window_started_at = CASE WHEN window_started_at > :windowStart THEN window_started_at ELSE :now END
            WHERE subject = :s""")
        .bind("windowStart", now.minus(limits.window())).bind("now", now).bind("s", subject).execute();
    if (updated == 0) {
      handle.createUpdate("""
              INSERT INTO password_reset_requests (subject, requests, window_started_at) VALUES (:s, 1, :now)""")
          .bind("s", subject).bind("now", now).execute();
    }
  }
}
