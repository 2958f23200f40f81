package io.videoshop.wallet;

import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.reporting.CostReports;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Projects every wallet's ledger events into {@code ledger_entries} (statements and the paged
 * ledger read it) and keeps the {@code tenants.plan} column in step with the plan in force.
 * Exactly once: each event's rows are written in the same transaction as the projection's
 * offset, and an entry seen again is skipped (by its sequence number or reference), so a
 * redelivery can never stop the projection. One projection instance per event tag, spread over the cluster by a sharded daemon
 * process; they use a small pool of their own so a busy API never starves them.
 */
public final class LedgerProjection {
  public static final String NAME = "ledger";

  private LedgerProjection() {}

  public static void init(ActorSystem<?> system) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "LedgerProjection", Wallet.TAG_COUNT,
        index -> ProjectionBehavior.create(projection(system, database, Wallet.TAGS.get(index))),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  static GroupedProjection<Offset, EventEnvelope<Wallet.Event>> projection(
      ActorSystem<?> system, ProjectionDatabase database, String tag) {
    return database.<Wallet.Event>exactlyOnce(system, NAME, tag, Handler::new);
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<Wallet.Event>, ProjectionDatabase.Session> {
    @Override
    public void process(ProjectionDatabase.Session session, EventEnvelope<Wallet.Event> envelope) throws Exception {
      LedgerProjection.process(session, envelope);
    }
  }

  static void process(ProjectionDatabase.Session session, EventEnvelope<Wallet.Event> envelope) throws Exception {
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
      // The reports' cost of minutes, in this same transaction: no second poller on the wallet tags.
      CostReports.apply(connection, tenantId, event);
      return null;
    });
  }

  private static void insert(Connection connection, String tenantId, long seqNr, LedgerEntry entry)
      throws SQLException {
    // Idempotent: an entry delivered again (a replayed offset, a redelivered envelope) is already
    // there and is skipped, rather than failing on the key and stopping the projection. Plain
    // INSERT ... SELECT ... WHERE NOT EXISTS: the same statement on H2 and PostgreSQL.
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO ledger_entries (tenant_id, seq_nr, reference, entry_type, kind, amount, balance_after, room_id,
          minute_index, included, note, at)
        SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM (VALUES (0)) AS one (x)
        WHERE NOT EXISTS (SELECT 1 FROM ledger_entries WHERE tenant_id = ? AND (seq_nr = ? OR reference = ?))""")) {
      insert.setString(13, tenantId);
      insert.setLong(14, seqNr);
      insert.setString(15, entry.reference());
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
}
