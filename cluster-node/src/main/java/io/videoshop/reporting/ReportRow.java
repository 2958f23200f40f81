package io.videoshop.reporting;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One change to one pre-aggregated row, written inside the projection's transaction: counters
 * added, maxima raised, durations recorded in sketches. The row is created on first use; two
 * projections creating it at once (the room projections of one tenant run on four tags) meet at
 * the primary key, and the loser retries as an update. A projection that commits events in groups
 * merges its group's changes in a {@link Batch} and writes each row once.
 */
final class ReportRow {
  private final String table;
  private final Map<String, Object> key = new LinkedHashMap<>();
  private final Map<String, Long> adds = new LinkedHashMap<>();
  private final Map<String, Long> maxima = new LinkedHashMap<>();
  /** Per sketch column, the durations to record in it. */
  private final Map<String, DurationSketch> sketches = new LinkedHashMap<>();

  /** The roll-up table this row's change is also written to, in the month of its day; null: none. */
  private String monthTable;

  private ReportRow(String table) {
    this.table = table;
  }

  /**
   * Writes the same change to {@code monthTable} as well, keyed by the first day of the month of
   * this row's {@code report_day} (same transaction): a long range then reads a row per month.
   * Counters add, maxima are maxima and sketches merge, so a month row is exactly the sum of its
   * days.
   */
  ReportRow rollUp(String monthTable) {
    this.monthTable = monthTable;
    return this;
  }

  static ReportRow of(String table) {
    return new ReportRow(table);
  }

  ReportRow key(String column, Object value) {
    key.put(column, value);
    return this;
  }

  ReportRow add(String column, long amount) {
    adds.merge(column, amount, Long::sum);
    return this;
  }

  ReportRow max(String column, long value) {
    maxima.merge(column, value, Math::max);
    return this;
  }

  /** Records {@code seconds} in the sketch held by {@code column}. */
  ReportRow sketch(String column, long seconds) {
    sketches.merge(column, DurationSketch.of(seconds), DurationSketch::merge);
    return this;
  }

  /** Where rows' changes go: written at once ({@code row -> row.write(connection)}), or into a {@link Batch}. */
  @FunctionalInterface
  interface Writes {
    void write(ReportRow row) throws SQLException;
  }

  void write(Writes writes) throws SQLException {
    writes.write(this);
  }

  void write(Connection connection) throws SQLException {
    for (ReportRow row : withRollUp()) row.writeRow(connection);
  }

  /** This row and, with a roll-up, the same change to its month's row. */
  private List<ReportRow> withRollUp() {
    if (monthTable == null) return List.of(this);
    ReportRow month = new ReportRow(monthTable);
    key.forEach((column, value) -> month.key.put(column,
        column.equals("report_day") ? ((LocalDate) value).withDayOfMonth(1) : value));
    month.merge(this);
    return List.of(this, month);
  }

  /** Adds another change of the same row into this one: counters add, maxima are maxima, sketches merge. */
  private void merge(ReportRow other) {
    other.adds.forEach((column, amount) -> adds.merge(column, amount, Long::sum));
    other.maxima.forEach((column, value) -> maxima.merge(column, value, Math::max));
    other.sketches.forEach((column, sketch) -> sketches.merge(column, sketch, DurationSketch::merge));
  }

  /**
   * A projection group's row changes, merged per row in memory and written once each when the
   * group ends (same transaction, so still exactly once): a group of a busy tenant's events
   * changes a handful of rows many times. Rows are written in the order of their table and key,
   * so two batches that share rows lock them in the same order.
   */
  static final class Batch implements Writes {
    private final Map<String, ReportRow> rows = new java.util.TreeMap<>();

    @Override
    public void write(ReportRow change) {
      for (ReportRow row : change.withRollUp()) {
        String id = row.table + '\u0000' + String.join("\u0000", row.key.values().stream().map(String::valueOf).toList());
        ReportRow pending = rows.get(id);
        if (pending == null) {
          pending = new ReportRow(row.table);
          pending.key.putAll(row.key);
          rows.put(id, pending);
        }
        pending.merge(row);
      }
    }

    /** Writes every merged row, then forgets them. */
    void flush(Connection connection) throws SQLException {
      for (ReportRow row : rows.values()) row.writeRow(connection);
      rows.clear();
    }
  }

  private void writeRow(Connection connection) throws SQLException {
    if (!tryUpdate(connection)) {
      Savepoint savepoint = connection.setSavepoint();
      try {
        insert(connection);
        connection.releaseSavepoint(savepoint);
      } catch (SQLException duplicate) {
        connection.rollback(savepoint);
        if (!tryUpdate(connection)) throw duplicate;
      }
    }
  }

  private String where() {
    return String.join(" AND ", key.keySet().stream().map(column -> column + " = ?").toList());
  }

  private boolean tryUpdate(Connection connection) throws SQLException {
    Map<String, String> sketchValues = new LinkedHashMap<>();
    if (!sketches.isEmpty()) {
      String sql = "SELECT " + String.join(", ", sketches.keySet()) + " FROM " + table + " WHERE " + where()
          + " FOR UPDATE";
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        bind(select, 1, new ArrayList<>(key.values()));
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next()) return false;
          for (Map.Entry<String, DurationSketch> entry : sketches.entrySet()) {
            sketchValues.put(entry.getKey(),
                DurationSketch.decode(rs.getString(entry.getKey())).merge(entry.getValue()).encode());
          }
        }
      }
    }
    List<String> sets = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    adds.forEach((column, amount) -> {
      sets.add(column + " = " + column + " + ?");
      values.add(amount);
    });
    maxima.forEach((column, value) -> {
      sets.add(column + " = CASE WHEN " + column + " > ? THEN " + column + " ELSE ? END");
      values.add(value);
      values.add(value);
    });
    sketchValues.forEach((column, value) -> {
      sets.add(column + " = ?");
      values.add(value);
    });
    if (sets.isEmpty()) sets.add(key.keySet().iterator().next() + " = " + key.keySet().iterator().next());
    values.addAll(key.values());
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE " + table + " SET " + String.join(", ", sets) + " WHERE " + where())) {
      bind(update, 1, values);
      return update.executeUpdate() > 0;
    }
  }

  private void insert(Connection connection) throws SQLException {
    Map<String, Object> row = new LinkedHashMap<>(key);
    row.putAll(adds);
    row.putAll(maxima);
    sketches.forEach((column, sketch) -> row.put(column, sketch.encode()));
    String sql = "INSERT INTO " + table + " (" + String.join(", ", row.keySet()) + ") VALUES ("
        + String.join(", ", row.keySet().stream().map(column -> "?").toList()) + ")";
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      bind(insert, 1, new ArrayList<>(row.values()));
      insert.executeUpdate();
    }
  }

  private static void bind(PreparedStatement statement, int first, List<Object> values) throws SQLException {
    for (int i = 0; i < values.size(); i++) statement.setObject(first + i, values.get(i));
  }
}
