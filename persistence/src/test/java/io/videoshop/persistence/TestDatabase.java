package io.videoshop.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.videoshop.config.DatabaseSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A database of its own for one test: a fresh schema in the shared PostgreSQL (127.0.0.1:5432,
 * database test, user postgres unless VIDEOSHOP_TEST_PG_URL / _USER / _PASSWORD say otherwise), or
 * a fresh H2 database. With CI=true an unreachable PostgreSQL fails the test; elsewhere it skips it.
 */
public record TestDatabase(DatabaseSettings settings, Runnable dropper) implements AutoCloseable {

  public enum Kind {
    H2,
    POSTGRES
  }

  public static final String PG_URL = env("VIDEOSHOP_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String PG_USER = env("VIDEOSHOP_TEST_PG_USER", "postgres");
  public static final String PG_PASSWORD = env("VIDEOSHOP_TEST_PG_PASSWORD", "");

  public static TestDatabase create(Kind kind) {
    return kind == Kind.POSTGRES ? postgres() : h2InMemory();
  }

  /** A fresh schema in the shared PostgreSQL, dropped on close. */
  public static TestDatabase postgres() {
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException("PostgreSQL is required in CI but unreachable at " + PG_URL, e);
      }
      Assumptions.abort("PostgreSQL unreachable at " + PG_URL + ": " + e.getMessage());
    }
    String url = PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    DatabaseSettings settings = new DatabaseSettings(
        DatabaseSettings.Kind.POSTGRES, url, PG_USER, PG_PASSWORD, 5, Duration.ofSeconds(5));
    return new TestDatabase(settings, () -> dropSchema(schema));
  }

  /** A fresh in-memory H2 that lives until the JVM ends (so several actor systems can share it). */
  public static TestDatabase h2InMemory() {
    String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;DATABASE_TO_UPPER=false";
    return new TestDatabase(
        new DatabaseSettings(DatabaseSettings.Kind.H2, url, "", "", 5, Duration.ofSeconds(5)), () -> {});
  }

  /** The embedded file database the product starts on, under a test's folder. */
  public static TestDatabase h2File(Path directory) {
    return new TestDatabase(
        new DatabaseSettings(DatabaseSettings.Kind.H2, DatabaseSettings.h2FileUrl(directory), "", "", 5,
            Duration.ofSeconds(5)),
        () -> {});
  }

  /** HOCON that points a node's videoshop.database at this database. */
  public Config config() {
    return ConfigFactory.parseMap(Map.of(
        "videoshop.database.kind", settings.kind().name().toLowerCase(),
        "videoshop.database.url", settings.url(),
        "videoshop.database.user", settings.user(),
        "videoshop.database.password", settings.password(),
        "videoshop.database.pool-size", ConfigValueFactory.fromAnyRef(settings.poolSize()).unwrapped()));
  }

  @Override
  public void close() {
    dropper.run();
  }

  private static void dropSchema(String schema) {
    try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test schema " + schema, e);
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
