package io.videoshop.persistence;

import io.videoshop.config.DatabaseSettings;
import java.util.Locale;
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
}
