package io.videoshop.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void createsEveryTableOnceAndIsIdempotent(TestDatabase.Kind kind) throws Exception {
    try (TestDatabase database = TestDatabase.create(kind);
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      var first = SchemaMigrations.migrate(dataSource, database.settings().kind());
      var second = SchemaMigrations.migrate(dataSource, database.settings().kind());

      assertThat(first.migrationsExecuted).isGreaterThanOrEqualTo(2);
      assertThat(second.migrationsExecuted).isZero();
      assertThat(tables(dataSource))
          .contains("event_journal", "event_tag", "snapshot", "durable_state", "personal_data_keys");
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void warnsExactlyWhenPostgresRunsWithoutAutovacuum(TestDatabase.Kind kind) throws Exception {
    try (TestDatabase database = TestDatabase.create(kind);
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      boolean off = false;
      if (kind == TestDatabase.Kind.POSTGRES) {
        try (Connection connection = dataSource.getConnection();
            ResultSet rows = connection.createStatement().executeQuery("SHOW autovacuum")) {
          rows.next();
          off = rows.getString(1).equals("off");
        }
      }
      var warning = SchemaMigrations.autovacuumWarning(dataSource, database.settings().kind());
      assertThat(warning.isPresent()).as("a warning, with autovacuum %s", off ? "off" : "on or H2").isEqualTo(off);
      warning.ifPresent(text -> assertThat(text).startsWith("PostgreSQL runs with autovacuum off"));
    }
  }

  @Test
  void anUnreachableDatabaseFailsFastWithTheUrlInTheMessage() {
    DatabaseSettings nowhere = new DatabaseSettings(DatabaseSettings.Kind.POSTGRES,
        "jdbc:postgresql://127.0.0.1:1/none", "nobody", "", 2, Duration.ofSeconds(2));
    long started = System.nanoTime();
    assertThatThrownBy(() -> DatabasePool.open(nowhere))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("Cannot connect to the database at jdbc:postgresql://127.0.0.1:1/none as nobody")
        .hasMessageContaining("Connection refused");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
  }

  private static List<String> tables(HikariDataSource dataSource) throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        ResultSet rows = connection.getMetaData().getTables(null, connection.getSchema(), "%", new String[] {"TABLE"})) {
      while (rows.next()) names.add(rows.getString("TABLE_NAME"));
    }
    return names;
  }
}
