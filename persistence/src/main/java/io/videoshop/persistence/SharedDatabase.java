package io.videoshop.persistence;

import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.config.DatabaseSettings;
import io.videoshop.config.VideoShopSettings;
import io.videoshop.persistence.privacy.MasterKeys;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import scala.Option;
import slick.jdbc.H2Profile$;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcBackend$;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import slick.jdbc.JdbcProfile;
import slick.jdbc.PostgresProfile$;
import slick.util.AsyncExecutor$;

/**
 * The node's one database: a HikariCP pool, migrated at creation, shared by the journal, the
 * snapshot store, the read journal, durable state and the node's own tables. Closed when the
 * actor system has terminated (after the journal has stopped writing).
 */
public final class SharedDatabase implements Extension {
  private static final Logger LOG = LoggerFactory.getLogger(SharedDatabase.class);

  public static final ExtensionId<SharedDatabase> ID =
      new ExtensionId<>() {
        @Override
        public SharedDatabase createExtension(ActorSystem<?> system) {
          return new SharedDatabase(system);
        }
      };

  public static SharedDatabase get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final DatabaseSettings settings;
  private final HikariDataSource dataSource;
  private final BoundedDataSource queryDataSource;
  private final SlickDatabase slickDatabase;
  private final Executor blockingExecutor;
  private final PersonalDataVault personalDataVault;

  private SharedDatabase(ActorSystem<?> system) {
    VideoShopSettings all = VideoShopSettings.from(system.settings().config());
    this.settings = all.database();
    MasterKeys masterKeys = MasterKeys.from(all);
    this.dataSource = DatabasePool.open(settings);
    try {
      SchemaMigrations.migrate(dataSource, settings.kind());
      SchemaMigrations.autovacuumWarning(dataSource, settings.kind()).ifPresent(LOG::warn);
      this.personalDataVault = new PersonalDataVault(dataSource, masterKeys);
      personalDataVault.checkMasterKeys();
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    this.slickDatabase = slickDatabaseOver(dataSource, settings);
    this.queryDataSource = new BoundedDataSource(dataSource, BoundedDataSource.shareOf(settings.poolSize()),
        settings.connectionTimeout().toMillis());
    this.blockingExecutor =
        system.dispatchers().lookup(DispatcherSelector.fromConfig("videoshop.blocking-dispatcher"));
    system.getWhenTerminated().thenRun(dataSource::close);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * The pool for the node's own queries (its Jdbi): a share of the connections
   * ({@link BoundedDataSource#shareOf}), so requests can never take the journal's last ones.
   */
  public DataSource queryDataSource() {
    return queryDataSource;
  }

  public DatabaseSettings settings() {
    return settings;
  }

  /** Where JDBC calls outside the journal run; never the default dispatcher. */
  public Executor blockingExecutor() {
    return blockingExecutor;
  }

  /** Reports the pool's connections (in use, waiting, timeouts) to a Micrometer registry. */
  public void reportPoolMetricsTo(Object micrometerRegistry) {
    dataSource.setMetricRegistry(micrometerRegistry);
  }

  public PersonalDataVault personalDataVault() {
    return personalDataVault;
  }

  SlickDatabase slickDatabase() {
    return slickDatabase;
  }

  /**
   * Completes when the journal's table answers a query within the timeout; fails otherwise.
   * Readiness asks this.
   */
  public CompletionStage<Void> probeJournal(Duration timeout) {
    return CompletableFuture.runAsync(
            () -> {
              try (Connection connection = dataSource.getConnection();
                  Statement statement = connection.createStatement()) {
                statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                statement.executeQuery("SELECT 1 FROM event_journal WHERE 1 = 0").close();
              } catch (Exception e) {
                throw new DatabaseUnavailableException(
                    "journal does not answer: " + DatabasePool.rootMessage(e), e);
              }
            },
            blockingExecutor)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static SlickDatabase slickDatabaseOver(DataSource dataSource, DatabaseSettings settings) {
    JdbcProfile profile =
        settings.kind() == DatabaseSettings.Kind.POSTGRES
            ? PostgresProfile$.MODULE$
            : H2Profile$.MODULE$;
    int connections = settings.poolSize();
    // Slick's executor runs the journal's JDBC calls: one thread per pooled connection.
    var executor =
        AsyncExecutor$.MODULE$.apply("videoshop-journal", connections, connections, 10_000, connections);
    var database =
        JdbcBackend$.MODULE$.Database().forDataSource(dataSource, Option.apply(connections), executor, false);
    return new SlickDatabase() {
      @Override
      public JdbcBackend.JdbcDatabaseDef database() {
        return database;
      }

      @Override
      public JdbcProfile profile() {
        return profile;
      }

      @Override
      public boolean allowShutdown() {
        // The plugins share this pool: none of them may close it; the node does, at termination.
        return false;
      }
    };
  }
}
