package io.videoshop.wallet;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A wallet's statement for one calendar month (UTC): the opening balance, the credits, the call
 * minutes per day, the plan fees and the closing balance, all in the currency's minor unit. Built
 * only from ledger entries, so its sums reconcile exactly with the ledger: closing = opening +
 * credits - usage - plan fees, which is the balance after the month's last entry.
 *
 * @param closed false while the month is still running (the statement so far)
 */
public record Statement(
    String tenantId,
    YearMonth month,
    String currency,
    Instant asOf,
    boolean closed,
    long openingBalance,
    List<CreditLine> credits,
    long totalCredits,
    List<UsageDay> usage,
    int totalMinutes,
    long totalUsage,
    List<FeeLine> planFees,
    long totalPlanFees,
    long closingBalance) {

  public record CreditLine(Instant at, String reference, String kind, long amount, String note) {}

  /** @param includedMinutes those of {@code minutes} the plan included (free) */
  public record UsageDay(LocalDate date, int minutes, int includedMinutes, long amount) {}

  public record FeeLine(Instant at, String reference, long amount) {}

  /** The statement of {@code month} from the balance before it and its entries in ledger order. */
  public static Statement of(String tenantId, YearMonth month, String currency, Instant asOf, long openingBalance,
      List<LedgerEntries.Line> entries) {
    List<CreditLine> credits = new ArrayList<>();
    List<FeeLine> fees = new ArrayList<>();
    Map<LocalDate, long[]> days = new TreeMap<>();
    long totalCredits = 0;
    long totalUsage = 0;
    long totalFees = 0;
    int totalMinutes = 0;
    for (LedgerEntries.Line entry : entries) {
      if (LedgerEntries.CREDIT.equals(entry.type())) {
        credits.add(new CreditLine(entry.at(), entry.reference(), entry.kind(), entry.amount(), entry.note()));
        totalCredits += entry.amount();
      } else if (Wallet.DebitKind.PLAN_FEE.code().equals(entry.kind())) {
        fees.add(new FeeLine(entry.at(), entry.reference(), entry.amount()));
        totalFees += entry.amount();
      } else {
        long[] day = days.computeIfAbsent(entry.at().atZone(ZoneOffset.UTC).toLocalDate(), d -> new long[3]);
        day[0]++;
        day[1] += entry.included() ? 1 : 0;
        day[2] += entry.amount();
        totalMinutes++;
        totalUsage += entry.amount();
      }
    }
    List<UsageDay> usage = new ArrayList<>();
    days.forEach((date, day) -> usage.add(new UsageDay(date, (int) day[0], (int) day[1], day[2])));
    boolean closed = !asOf.isBefore(Wallet.startOf(month.plusMonths(1)));
    return new Statement(tenantId, month, currency, asOf, closed, openingBalance, credits, totalCredits, usage,
        totalMinutes, totalUsage, fees, totalFees, openingBalance + totalCredits - totalUsage - totalFees);
  }

  /**
   * The same as CSV, one line per item: {@code line} says what it is (opening_balance, credit,
   * usage, plan_fee, closing_balance); amounts are signed minor units of {@code currency}.
   */
  public String csv() {
    StringBuilder csv = new StringBuilder("line,date,reference,kind,minutes,amount,balance,currency\r\n");
    String first = month.atDay(1).toString();
    String last = month.atEndOfMonth().toString();
    row(csv, "opening_balance", first, "", "", "", "", Long.toString(openingBalance));
    for (CreditLine credit : credits) {
      row(csv, "credit", day(credit.at()), credit.reference(), credit.kind(), "", Long.toString(credit.amount()), "");
    }
    for (UsageDay day : usage) {
      row(csv, "usage", day.date().toString(), "", Wallet.DebitKind.CALL_MINUTE.code(), Integer.toString(day.minutes()),
          Long.toString(-day.amount()), "");
    }
    for (FeeLine fee : planFees) {
      row(csv, "plan_fee", day(fee.at()), fee.reference(), Wallet.DebitKind.PLAN_FEE.code(), "",
          Long.toString(-fee.amount()), "");
    }
    row(csv, "closing_balance", last, "", "", "", "", Long.toString(closingBalance));
    return csv.toString();
  }

  private void row(StringBuilder csv, String... cells) {
    for (String cell : cells) csv.append(quoted(cell)).append(',');
    csv.append(quoted(currency == null ? "" : currency)).append("\r\n");
  }

  /** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
  private static String quoted(String cell) {
    boolean plain = cell.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
    return plain ? cell : '"' + cell.replace("\"", "\"\"") + '"';
  }

  private static String day(Instant at) {
    return at.atZone(ZoneOffset.UTC).toLocalDate().toString();
  }
}
