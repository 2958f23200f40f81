package io.videoshop.wallet;

import io.videoshop.persistence.CborSerializable;
import java.time.Instant;
import java.time.YearMonth;

/**
 * A wallet as its owners see it: balance, plan (and a downgrade waiting for the next period),
 * minutes left, the admission state and this period's usage.
 *
 * @param minutesLeft call minutes the wallet can still pay for (included ones counted); null: no
 *     limit (a subscription whose extra minutes are free)
 * @param scheduledPlan the plan the next period starts with, when a downgrade is waiting
 */
public record WalletView(
    String tenantId,
    boolean open,
    String currency,
    long balance,
    Plan plan,
    Plan scheduledPlan,
    YearMonth scheduledFrom,
    YearMonth period,
    int includedMinutesLeft,
    Long minutesLeft,
    BalanceLevel level,
    Admission admission,
    Usage usage,
    Instant at)
    implements Wallet.OpenReply, CborSerializable {

  /** Call minutes and fees of the current billing period. */
  public record Usage(YearMonth period, int minutes, int includedMinutes, long minuteAmount, long planFees)
      implements CborSerializable {}
}
