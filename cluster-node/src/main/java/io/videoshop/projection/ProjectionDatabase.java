package io.videoshop.projection;

import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.config.DatabaseSettings;
import io.videoshop.config.VideoShopSettings;
import io.videoshop.persistence.DatabasePool;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.JdbcSession;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

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

  /** An exactly-once projection commits a group after this many events, or ... */
  static final int GROUP_EVENTS = 64;
  /** ... after this long, whichever comes first (the poll every 500 ms is the usual lag). */
  static final Duration GROUP_WITHIN = Duration.ofMillis(100);

  /**
   * The exactly-once projection of one tag's events through a handler of one event at a time,
   * committed in groups: the group's rows and its offset in one transaction. One transaction per
   * event (JdbcProjection.exactlyOnce) wrote the offset once for every event, also for the many
   * events a projection only skips, and made the read side cost PostgreSQL more than the journal's
   * writes (issue 17, point 6).
   */
  public <E> GroupedProjection<Offset, EventEnvelope<E>> exactlyOnce(ActorSystem<?> system, String name, String tag,
      Supplier<JdbcHandler<EventEnvelope<E>, Session>> handler) {
    return exactlyOnceInGroups(system, name, tag, () -> new EachInGroup<>(handler.get()));
  }

  /** The same, through a handler of the whole group (which may, say, merge the group's changes before writing). */
  public <E> GroupedProjection<Offset, EventEnvelope<E>> exactlyOnceInGroups(ActorSystem<?> system, String name,
      String tag, Supplier<JdbcHandler<List<EventEnvelope<E>>, Session>> handler) {
    SourceProvider<Offset, EventEnvelope<E>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.groupedWithin(ProjectionId.of(name, tag), source, this::session, handler::get, system)
        .withGroup(GROUP_EVENTS, GROUP_WITHIN);
  }

  /** A group's events handed one by one to the handler of one event, in the group's transaction. */
  private static final class EachInGroup<E> extends JdbcHandler<List<EventEnvelope<E>>, Session> {
    private final JdbcHandler<EventEnvelope<E>, Session> each;

    EachInGroup(JdbcHandler<EventEnvelope<E>, Session> each) {
      this.each = each;
    }

    @Override
    public void process(Session session, List<EventEnvelope<E>> envelopes) throws Exception {
      for (EventEnvelope<E> envelope : envelopes) each.process(session, envelope);
    }

    @Override
    public void start() {
      each.start();
    }

    @Override
    public void stop() {
      each.stop();
    }
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
