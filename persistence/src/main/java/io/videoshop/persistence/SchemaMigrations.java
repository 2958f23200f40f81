package io.videoshop.persistence;

import io.videoshop.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and migrates every table (the journal's and the node's own) with Flyway, idempotently:
 * every node runs it at start, and Flyway's lock lets only one apply a version.
 * Scripts: {@code db/migration/common} (portable SQL) plus {@code db/migration/<kind>}.
 */
public final class SchemaMigrations {
  private SchemaMigrations() {}

  public static MigrateResult migrate(DataSource dataSource, DatabaseSettings.Kind kind) {
    try {
      return Flyway.configure()
          .dataSource(dataSource)
          .locations(
              "classpath:db/migration/common",
              "classpath:db/migration/" + kind.name().toLowerCase(Locale.ROOT))
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new DatabaseUnavailableException(
          "Cannot migrate the database schema: " + DatabasePool.rootMessage(e), e);
    }
  }

  /**
   * A warning when PostgreSQL runs with autovacuum off. The projections' tag query is cheap only
   * while the journal tables are vacuumed and analysed (V40): bench-queue on a PostgreSQL with
   * autovacuum off spent 18-31 ms of PostgreSQL CPU per join/leave cycle in that query, and
   * 2.9 ms with the two tables vacuumed every 5 s (docs/benchmarks.md). Empty on H2 and when
   * autovacuum is on.
   */
  public static Optional<String> autovacuumWarning(DataSource dataSource, DatabaseSettings.Kind kind) {
    if (kind != DatabaseSettings.Kind.POSTGRES) return Optional.empty();
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW autovacuum")) {
      return rows.next() && "off".equalsIgnoreCase(rows.getString(1))
          ? Optional.of("PostgreSQL runs with autovacuum off: the journal's tag rows are then never vacuumed or"
              + " analysed, and the projections' queries grow slower with the journal until PostgreSQL is the"
              + " bottleneck. Turn autovacuum on (docs/operations.md).")
          : Optional.empty();
    } catch (SQLException e) {
      return Optional.of("Cannot read PostgreSQL's autovacuum setting: " + e.getMessage());
    }
  }
}
