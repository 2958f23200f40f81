package io.videoshop.wallet;

/**
 * How many call minutes a wallet has left, in three steps: the signals running calls act on
 * ({@code low_balance}: warn; {@code exhausted}: end the call after its grace minute).
 */
public enum BalanceLevel {
  OK,
  /** Fewer minutes left than {@code videoshop.billing.low-balance-minutes}. */
  LOW,
  /** Not one more minute can be paid (or the trial is over). */
  EXHAUSTED;

  /** {@code ok}, {@code low_balance}, {@code exhausted}: the codes clients see. */
  public String code() {
    return switch (this) {
      case OK -> "ok";
      case LOW -> "low_balance";
      case EXHAUSTED -> "exhausted";
    };
  }

  public static BalanceLevel of(Long minutesLeft, int lowBalanceMinutes) {
    if (minutesLeft == null) return OK;
    if (minutesLeft <= 0) return EXHAUSTED;
    return minutesLeft < lowBalanceMinutes ? LOW : OK;
  }
}
