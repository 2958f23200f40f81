package io.videoshop.wallet;

import java.time.Instant;

/**
 * A wallet event that moves money: the ledger. The balance is the sum of every entry's signed
 * amount; {@link #balanceAfter()} records it after the entry, like a bank statement line, so the
 * read side can give opening and closing balances without summing the whole history.
 */
public sealed interface LedgerEntry permits Wallet.Credited, Wallet.Debited {
  /** Unique within the wallet: a second entry with the same reference is never written. */
  String reference();

  /** Positive minor units (zero for a call minute the plan includes). */
  long amount();

  long balanceAfter();

  Instant at();

  /** The amount as it changes the balance: credits add, debits subtract. */
  long signedAmount();
}
