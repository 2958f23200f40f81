package io.videoshop.projection;

import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.config.DatabaseSettings;
import io.videoshop.config.VideoShopSettings;
import io.videoshop.persistence.DatabasePool;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.projection.jdbc.JdbcSession;

/**
 * The projections' own small pool (so a busy API never starves the read side, nor the other way
 * round), sized like the projections' JDBC dispatcher in projection.conf, and their sessions.
 */
public final class ProjectionDatabase implements Extension {
  /** Connections, and threads of pekko.projection.jdbc.blocking-jdbc-dispatcher. */
  public static final int POOL_SIZE = 8;

  public static final ExtensionId<ProjectionDatabase> ID = new ExtensionId<>() {
    @Override
    public ProjectionDatabase createExtension(ActorSystem<?> system) {
      return new ProjectionDatabase(system);
    }
  };

  public static ProjectionDatabase get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final HikariDataSource pool;

  private ProjectionDatabase(ActorSystem<?> system) {
    DatabaseSettings database = VideoShopSettings.from(system.settings().config()).database();
    this.pool = DatabasePool.open(new DatabaseSettings(database.kind(), database.url(), database.user(),
        database.password(), POOL_SIZE, database.connectionTimeout()), "videoshop-projections");
    // Closed once the projections have stopped (shards are handed off before this phase) and before
    // the node reports it has stopped: an embedded database's files are quiet by then. The phase
    // has tasks of its own already, so this adds nothing to the time shutdown may take.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseClusterShutdown(), "close-projection-pool", () -> {
      pool.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    system.getWhenTerminated().thenRun(pool::close);
  }

  public Session session() {
    return new Session(pool);
  }

  /** One transaction over a pooled connection: auto-commit off, as exactly-once needs. */
  public static final class Session implements JdbcSession {
    private final Connection connection;

    Session(HikariDataSource pool) {
      try {
        this.connection = pool.getConnection();
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        throw new IllegalStateException("projection cannot get a database connection", e);
      }
    }

    @Override
    public <R> R withConnection(Function<Connection, R> work) throws Exception {
      return work.apply(connection);
    }

    @Override
    public void commit() throws SQLException {
      connection.commit();
    }

    @Override
    public void rollback() throws SQLException {
      connection.rollback();
    }

    @Override
    public void close() throws SQLException {
      // Back to the pool as the pool handed it out.
      connection.setAutoCommit(true);
      connection.close();
    }
  }
}
