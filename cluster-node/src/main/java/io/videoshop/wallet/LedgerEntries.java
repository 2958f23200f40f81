package io.videoshop.wallet;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * Reads the ledger's read side ({@code ledger_entries}, written by {@link LedgerProjection}): pages
 * of entries and the entries of a period. It trails the wallet by the projection's lag (about a
 * second); the wallet's own balance is always current. Blocking: call on the blocking dispatcher.
 */
public final class LedgerEntries {
  public static final String CREDIT = "credit";
  public static final String DEBIT = "debit";
  public static final int MAX_PAGE = 500;

  private final Jdbi jdbi;

  public LedgerEntries(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** One ledger entry as the API shows it; {@code seq} orders a wallet's entries. */
  public record Line(long seq, String reference, String type, String kind, long amount, long balanceAfter,
      String roomId, Integer minuteIndex, boolean included, String note, Instant at) {

    public long signedAmount() {
      return CREDIT.equals(type) ? amount : -amount;
    }
  }

  /** Filters of a page, newest first; {@code beforeSeq} is the cursor (entries older than it). */
  public record Filter(String tenantId, Optional<String> type, Optional<String> kind, Optional<Instant> from,
      Optional<Instant> to, Optional<Long> beforeSeq, int limit) {}

  public record Page(List<Line> items, Long nextCursor) {}

  public Page page(Filter filter) {
    StringBuilder sql = new StringBuilder("SELECT * FROM ledger_entries WHERE tenant_id = :tenantId");
    filter.type().ifPresent(v -> sql.append(" AND entry_type = :type"));
    filter.kind().ifPresent(v -> sql.append(" AND kind = :kind"));
    filter.from().ifPresent(v -> sql.append(" AND at >= :from"));
    filter.to().ifPresent(v -> sql.append(" AND at < :to"));
    filter.beforeSeq().ifPresent(v -> sql.append(" AND seq_nr < :beforeSeq"));
    sql.append(" ORDER BY seq_nr DESC LIMIT :limit");
    List<Line> rows = jdbi.withHandle(handle -> {
      Query query = handle.createQuery(sql.toString())
          .bind("tenantId", filter.tenantId()).bind("limit", filter.limit() + 1);
      filter.type().ifPresent(v -> query.bind("type", v));
      filter.kind().ifPresent(v -> query.bind("kind", v));
      filter.from().ifPresent(v -> query.bind("from", v));
      filter.to().ifPresent(v -> query.bind("to", v));
      filter.beforeSeq().ifPresent(v -> query.bind("beforeSeq", v));
      return query.map((rs, ctx) -> line(rs)).list();
    });
    List<Line> items = new ArrayList<>(rows.subList(0, Math.min(rows.size(), filter.limit())));
    Long next = rows.size() > filter.limit() ? items.get(items.size() - 1).seq() : null;
    return new Page(items, next);
  }

  /** The balance just before {@code at}: the balance after the last entry before it, 0 when none. */
  public long balanceBefore(String tenantId, Instant at) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT balance_after FROM ledger_entries WHERE tenant_id = :tenantId AND at < :at
            ORDER BY seq_nr DESC LIMIT 1""")
        .bind("tenantId", tenantId).bind("at", at)
        .mapTo(Long.class).findOne().orElse(0L));
  }

  /** Every entry from {@code from} (inclusive) to {@code to} (exclusive), in ledger order. */
  public List<Line> between(String tenantId, Instant from, Instant to) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT * FROM ledger_entries WHERE tenant_id = :tenantId AND at >= :from AND at < :to
            ORDER BY seq_nr""")
        .bind("tenantId", tenantId).bind("from", from).bind("to", to)
        .map((rs, ctx) -> line(rs)).list());
  }

  private static Line line(ResultSet rs) throws SQLException {
    int minute = rs.getInt("minute_index");
    return new Line(rs.getLong("seq_nr"), rs.getString("reference"), rs.getString("entry_type"), rs.getString("kind"),
        rs.getLong("amount"), rs.getLong("balance_after"), rs.getString("room_id"), rs.wasNull() ? null : minute,
        rs.getBoolean("included"), rs.getString("note"), rs.getTimestamp("at").toInstant());
  }
}
