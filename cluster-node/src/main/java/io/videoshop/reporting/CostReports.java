package io.videoshop.reporting;

import io.videoshop.wallet.Wallet;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What one wallet event changes in the reports: a debited call minute and its cost, on the local
 * day of the debit. Called by {@code LedgerProjection} on its connection, in the same transaction
 * as its offset: exactly once, and no poller of its own on the wallet tags.
 */
public final class CostReports {
  static final String DAYS = "report_cost_days";

  private CostReports() {}

  public static void apply(Connection connection, String tenantId, Wallet.Event event) throws SQLException {
    if (!(event instanceof Wallet.Debited debit) || debit.kind() != Wallet.DebitKind.CALL_MINUTE) return;
    ReportRow.of(DAYS).key("tenant_id", tenantId)
        .key("report_day", ReportDays.dayOf(debit.at(), TenantZones.zone(connection, tenantId)))
        .add("debited_minutes", 1).add("included_minutes", debit.included() ? 1 : 0).add("cost", debit.amount())
        .write(connection);
  }
}
