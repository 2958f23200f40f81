package io.videoshop.wallet;

import io.videoshop.persistence.CborSerializable;
import java.util.Locale;

/**
 * What the wallet allows right now, for whoever admits shoppers and runs calls: the queue refuses
 * a join with {@link #refusal()} when not {@link #admitting()}, holds back offers at the
 * concurrent-call limit and refuses agents past the seat limit; a call room warns on
 * {@link BalanceLevel#LOW} and ends the call on {@link BalanceLevel#EXHAUSTED}. Published to the
 * wallet's subscribers whenever it changes, so none of them asks per join.
 *
 * @param refusal why new shoppers are refused; null while admitting
 * @param agentSeatLimit null: no limit
 * @param concurrentCallLimit null: no limit
 */
public record Admission(boolean admitting, Refusal refusal, BalanceLevel level, Integer agentSeatLimit,
    Integer concurrentCallLimit) implements CborSerializable {

  public enum Refusal {
    /** A paid plan's balance and included minutes cannot pay one more minute. */
    INSUFFICIENT_FUNDS,
    /** The trial has ended (its end date passed or its free minutes are used up). */
    PLAN_LIMIT,
    /** The wallet has not been opened yet (its tenant never reached billing). */
    WALLET_NOT_OPEN;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final Admission NOT_OPEN = new Admission(false, Refusal.WALLET_NOT_OPEN, BalanceLevel.EXHAUSTED,
      null, null);
}
