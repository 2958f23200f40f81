package io.videoshop.notification;

import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.wallet.BalanceLevel;
import io.videoshop.wallet.Wallet;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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
 * Mail the wallets' events cause: a wallet that falls to a low balance mails the tenant's active
 * owners. Exactly once: each mail is written to the outbox in the transaction that stores the
 * projection's offset (and carries a dedup key besides). Events older than a day are skipped, so
 * a projection starting on an old journal does not mail about the past.
 */
public final class WalletMailProjection {
  public static final String NAME = "wallet-mail";
  static final Duration TOO_OLD = Duration.ofDays(1);

  private WalletMailProjection() {}

  public static void init(ActorSystem<?> system, Mails mails, Clock clock) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "WalletMailProjection", Wallet.TAG_COUNT,
        index -> ProjectionBehavior.create(projection(system, database, Wallet.TAGS.get(index), mails, clock)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  static GroupedProjection<Offset, EventEnvelope<Wallet.Event>> projection(ActorSystem<?> system,
      ProjectionDatabase database, String tag, Mails mails, Clock clock) {
    return database.exactlyOnce(system, NAME, tag,
        () -> new JdbcHandler<EventEnvelope<Wallet.Event>, ProjectionDatabase.Session>() {
          @Override
          public void process(ProjectionDatabase.Session session, EventEnvelope<Wallet.Event> envelope) throws Exception {
            session.withConnection(connection -> {
              WalletMailProjection.process(connection, mails, clock, PersistenceId.extractEntityId(envelope.persistenceId()),
                  envelope.sequenceNr(), envelope.event());
              return null;
            });
          }
        });
  }

  static void process(Connection connection, Mails mails, Clock clock, String tenantId, long seqNr, Wallet.Event event)
      throws SQLException {
    if (!(event instanceof Wallet.BalanceLevelChanged changed)) return;
    if (changed.to() != BalanceLevel.LOW || changed.from() != BalanceLevel.OK) return;
    if (changed.at().isBefore(clock.instant().minus(TOO_OLD))) return;
    for (Mails.Owner owner : Mails.owners(connection, tenantId)) {
      mails.send(connection, new Mails.Mail(tenantId, "user:" + owner.id(), owner.email(), owner.language(), "low_balance",
              Map.of("minutesLeft", changed.minutesLeft() == null ? 0 : changed.minutesLeft(),
                  "topUpLink", mails.link("/api/v1/tenants/" + tenantId + "/wallet"))),
          "low_balance:" + tenantId + ":" + seqNr + ":" + owner.id());
    }
  }

}
