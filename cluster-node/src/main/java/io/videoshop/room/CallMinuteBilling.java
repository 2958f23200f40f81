package io.videoshop.room;

import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.tenant.Tenants;
import io.videoshop.wallet.Wallet;
import io.videoshop.wallet.Wallets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Metering: every minute a room records ({@link CallRoom.MinuteStarted}) is debited from the
 * tenant's wallet. Delivery is at least once — the projection's offset is saved only after the
 * wallet confirmed, so after a crash or a move a minute may be sent again — and the wallet
 * deduplicates by (room id, minute index), so each minute is debited exactly once.
 */
public final class CallMinuteBilling {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CallMinuteBilling.class);
  public static final String NAME = "call-minute-billing";

  private CallMinuteBilling() {}

  public static void init(ActorSystem<?> system, Wallets wallets, Tenants tenants, Executor blocking) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "CallMinuteBilling", CallRoom.TAG_COUNT,
        index -> ProjectionBehavior.create(JdbcProjection.atLeastOnceAsync(
            ProjectionId.of(NAME, CallRoom.TAGS.get(index)),
            EventSourcedProvider.<CallRoom.Event>eventsByTag(system, JdbcReadJournal.Identifier(), CallRoom.TAGS.get(index)),
            database::session, () -> new Debit(wallets, tenants, blocking), system)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  static final class Debit extends Handler<EventEnvelope<CallRoom.Event>> {
    private final Wallets wallets;
    private final Tenants tenants;
    private final Executor blocking;

    Debit(Wallets wallets, Tenants tenants, Executor blocking) {
      this.wallets = wallets;
      this.tenants = tenants;
      this.blocking = blocking;
    }

    @Override
    public CompletionStage<Done> process(EventEnvelope<CallRoom.Event> envelope) {
      if (!(envelope.event() instanceof CallRoom.MinuteStarted minute)) return CompletableFuture.completedFuture(Done.getInstance());
      String roomId = PersistenceId.extractEntityId(envelope.persistenceId());
      return debit(minute.tenantId(), roomId, minute).thenCompose(reply -> {
        if (reply instanceof Wallet.MinuteRecorded) return CompletableFuture.completedFuture(Done.getInstance());
        if (reply instanceof Wallet.Refused refused && refused.reason() == Wallet.Refusal.STALE_TICK) {
          // Delivered later than the wallet's dedup window (this projection was down for days):
          // not debited, so never twice; logged for the operator to settle by hand.
          log.warn("Minute {} of room {} (tenant {}) arrived later than the wallet remembers rooms and was not billed",
              minute.index(), roomId, minute.tenantId());
          return CompletableFuture.completedFuture(Done.getInstance());
        }
        if (reply instanceof Wallet.Refused refused && refused.reason() == Wallet.Refusal.WALLET_NOT_OPEN) {
          // The tenant's first call: open its wallet (trial), then debit.
          return CompletableFuture.supplyAsync(() -> tenants.find(minute.tenantId()).orElseThrow(), blocking)
              .thenCompose(wallets::open)
              .thenCompose(opened -> debit(minute.tenantId(), roomId, minute))
              .thenApply(again -> Done.getInstance());
        }
        throw new IllegalStateException("the wallet refused minute " + minute.index() + " of " + roomId + ": " + reply);
      });
    }

    private CompletionStage<Wallet.DebitReply> debit(String tenantId, String roomId, CallRoom.MinuteStarted minute) {
      return wallets.<Wallet.DebitReply>ask(tenantId, replyTo -> new Wallet.DebitMinute(roomId, (int) minute.index(),
          minute.at(), replyTo));
    }
  }
}
