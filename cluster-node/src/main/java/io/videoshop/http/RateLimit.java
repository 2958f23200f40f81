package io.videoshop.http;

/**
 * A token bucket per socket: {@code burst} messages at once, refilled at {@code perSecond}. A
 * client that keeps sending past it is flooding and gets disconnected.
 */
public final class RateLimit {
  private final int burst;
  private final double perNano;
  private double tokens;
  private long refilledAt;
  private int refusedInARow;

  public RateLimit(int burst, double perSecond, long nowNanos) {
    this.burst = burst;
    this.perNano = perSecond / 1e9;
    this.tokens = burst;
    this.refilledAt = nowNanos;
  }

  public enum Verdict {
    ALLOWED,
    REFUSED,
    /** Refused again and again: time to disconnect. */
    FLOODING
  }

  /** Takes {@code count} without asking (what other nodes took from the same limit); never below empty. */
  public void drain(long count, long nowNanos) {
    tokens = Math.max(0, Math.min(burst, tokens + (nowNanos - refilledAt) * perNano) - count);
    refilledAt = nowNanos;
  }

  public Verdict take(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - refilledAt) * perNano);
    refilledAt = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      refusedInARow = 0;
      return Verdict.ALLOWED;
    }
    return ++refusedInARow >= burst ? Verdict.FLOODING : Verdict.REFUSED;
  }
}
