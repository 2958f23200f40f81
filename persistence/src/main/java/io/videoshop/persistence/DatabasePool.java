package io.videoshop.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.config.DatabaseSettings;

/** Opens the node's one HikariCP pool; fails fast with a readable reason when the database is down. */
public final class DatabasePool {
  private DatabasePool() {}

  public static HikariDataSource open(DatabaseSettings settings) {
    return open(settings, "videoshop");
  }

  /** A pool of its own, e.g. for projections, which should not wait behind the node's requests. */
  public static HikariDataSource open(DatabaseSettings settings, String poolName) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(poolName);
    config.setJdbcUrl(withPostgresBatching(settings));
    if (!settings.user().isEmpty()) config.setUsername(settings.user());
    if (!settings.password().isEmpty()) config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(Math.min(2, settings.poolSize()));
    config.setConnectionTimeout(settings.connectionTimeout().toMillis());
    // Start fails after one connection timeout instead of retrying silently forever.
    config.setInitializationFailTimeout(settings.connectionTimeout().toMillis());
    config.setAutoCommit(true);
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new DatabaseUnavailableException(
          "Cannot connect to the database at " + settings.url()
              + (settings.user().isEmpty() ? "" : " as " + settings.user()) + ": " + rootMessage(e),
          e);
    }
  }

  /** PostgreSQL's driver turns batched inserts into multi-row inserts only when asked to. */
  private static String withPostgresBatching(DatabaseSettings settings) {
    String url = settings.url();
    if (settings.kind() != DatabaseSettings.Kind.POSTGRES || url.contains("reWriteBatchedInserts")) {
      return url;
    }
    return url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true";
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
