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
 * the primary key, and the loser retries as an update.
 */
final class ReportRow {
  private final String table;
  private final Map<String, Object> key = new LinkedHashMap<>();
  private final Map<String, Long> adds = new LinkedHashMap<>();
  private final Map<String, Long> maxima = new LinkedHashMap<>();
  private final Map<String, Long> sketches = new LinkedHashMap<>();

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
    sketches.put(column, seconds);
    return this;
  }

  void write(Connection connection) throws SQLException {
    writeRow(connection);
    if (monthTable != null) {
      ReportRow month = new ReportRow(monthTable);
      key.forEach((column, value) -> month.key.put(column,
          column.equals("report_day") ? ((LocalDate) value).withDayOfMonth(1) : value));
      month.adds.putAll(adds);
      month.maxima.putAll(maxima);
      month.sketches.putAll(sketches);
      month.writeRow(connection);
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
          for (Map.Entry<String, Long> entry : sketches.entrySet()) {
            sketchValues.put(entry.getKey(),
                DurationSketch.decode(rs.getString(entry.getKey())).with(entry.getValue()).encode());
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
    sketches.forEach((column, seconds) -> row.put(column, DurationSketch.of(seconds).encode()));
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
