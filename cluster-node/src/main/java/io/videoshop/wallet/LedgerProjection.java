package io.videoshop.wallet;

import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.config.DatabaseSettings;
import io.videoshop.persistence.DatabasePool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.ExactlyOnceProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.JdbcSession;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Projects every wallet's ledger events into {@code ledger_entries} (statements and the paged
 * ledger read it) and keeps the {@code tenants.plan} column in step with the plan in force.
 * Exactly once: each event's rows are written in the same transaction as the projection's
 * offset. One projection instance per event tag, spread over the cluster by a sharded daemon
 * process; they use a small pool of their own so a busy API never starves them.
 */
public final class LedgerProjection {
  public static final String NAME = "ledger";
  /** Connections of the projections' own pool: one per tag, like their dispatcher's threads. */
  public static final int POOL_SIZE = Wallet.TAG_COUNT;

  private LedgerProjection() {}

  public static void init(ActorSystem<?> system, DatabaseSettings database) {
    HikariDataSource pool = DatabasePool.open(
        new DatabaseSettings(database.kind(), database.url(), database.user(), database.password(), POOL_SIZE,
            database.connectionTimeout()),
        "videoshop-projections");
    // Closed once the projections have stopped (shards are handed off before this phase) and before
    // the node reports it has stopped: an embedded database's files are quiet by then. The phase
    // has tasks of its own already, so this adds nothing to the time shutdown may take.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseClusterShutdown(),
        "close-projection-pool", () -> {
          pool.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    system.getWhenTerminated().thenRun(pool::close);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "LedgerProjection", Wallet.TAG_COUNT,
        index -> ProjectionBehavior.create(projection(system, pool, Wallet.TAGS.get(index))),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  static ExactlyOnceProjection<Offset, EventEnvelope<Wallet.Event>> projection(
      ActorSystem<?> system, DataSource pool, String tag) {
    SourceProvider<Offset, EventEnvelope<Wallet.Event>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.exactlyOnce(ProjectionId.of(NAME, tag), source, () -> new Session(pool),
        Handler::new, system);
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<Wallet.Event>, Session> {
    @Override
    public void process(Session session, EventEnvelope<Wallet.Event> envelope) throws Exception {
      LedgerProjection.process(session, envelope);
    }
  }

  static void process(Session session, EventEnvelope<Wallet.Event> envelope) throws Exception {
    String tenantId = PersistenceId.extractEntityId(envelope.persistenceId());
    Wallet.Event event = envelope.event();
    session.withConnection(connection -> {
      if (event instanceof LedgerEntry entry) {
        insert(connection, tenantId, envelope.sequenceNr(), entry);
      } else if (event instanceof Wallet.WalletOpened opened) {
        updatePlan(connection, tenantId, opened.plan());
      } else if (event instanceof Wallet.PlanChanged changed) {
        updatePlan(connection, tenantId, changed.to());
      } else if (event instanceof Wallet.PeriodStarted started) {
        updatePlan(connection, tenantId, started.plan());
      }
      return null;
    });
  }

  private static void insert(Connection connection, String tenantId, long seqNr, LedgerEntry entry)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO ledger_entries (tenant_id, seq_nr, reference, entry_type, kind, amount, balance_after, room_id,
          minute_index, included, note, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
      insert.setString(1, tenantId);
      insert.setLong(2, seqNr);
      insert.setString(3, entry.reference());
      insert.setLong(6, entry.amount());
      insert.setLong(7, entry.balanceAfter());
      insert.setTimestamp(12, Timestamp.from(entry.at()));
      if (entry instanceof Wallet.Credited credit) {
        insert.setString(4, LedgerEntries.CREDIT);
        insert.setString(5, credit.kind().code());
        insert.setNull(8, Types.VARCHAR);
        insert.setNull(9, Types.INTEGER);
        insert.setBoolean(10, false);
        insert.setString(11, credit.note());
      } else if (entry instanceof Wallet.Debited debit) {
        insert.setString(4, LedgerEntries.DEBIT);
        insert.setString(5, debit.kind().code());
        insert.setString(8, debit.roomId());
        if (debit.minuteIndex() == null) insert.setNull(9, Types.INTEGER); else insert.setInt(9, debit.minuteIndex());
        insert.setBoolean(10, debit.included());
        insert.setNull(11, Types.VARCHAR);
      }
      insert.executeUpdate();
    }
  }

  private static void updatePlan(Connection connection, String tenantId, Plan plan) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement("UPDATE tenants SET plan = ? WHERE id = ?")) {
      update.setString(1, plan.wireName());
      update.setString(2, tenantId);
      update.executeUpdate();
    }
  }

  /** One transaction over a pooled connection: auto-commit off, as exactly-once needs. */
  static final class Session implements JdbcSession {
    private final Connection connection;

    Session(DataSource pool) {
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
