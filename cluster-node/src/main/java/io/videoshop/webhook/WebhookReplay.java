package io.videoshop.webhook;

import io.videoshop.queue.TenantQueue;
import io.videoshop.room.CallRoom;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.wallet.Wallet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.jdbi.v3.core.Jdbi;

/**
 * Replays a tenant's past events to one endpoint, rebuilt from the journal (not from the delivery
 * log, which forgets after its retention): the tenant's queue, wallet and calendar, and its call
 * rooms opened since, are read with {@code currentEventsByPersistenceId} from a day before
 * {@code since} (so a call's or ticket's context is known), through the same {@link WebhookCatalog}
 * as the live projection; events written from {@code since} on become messages for that endpoint
 * only. Message ids follow from the endpoint and the event, so what the live projection queued
 * already is not queued again. Runs in the background on the node asked; a node stopped mid-way
 * leaves a partial replay that asking again completes.
 */
public final class WebhookReplay {
  /** How far before {@code since} the entities' events are read to know their context. */
  static final Duration CONTEXT_LEAD = Duration.ofDays(1);

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WebhookReplay.class);

  private final ActorSystem<?> system;
  private final Jdbi jdbi;
  private final WebhookDeliveries deliveries;
  private final Executor blocking;
  private final Clock clock;

  public WebhookReplay(ActorSystem<?> system, Jdbi jdbi, WebhookDeliveries deliveries, Executor blocking, Clock clock) {
    this.system = system;
    this.jdbi = jdbi;
    this.deliveries = deliveries;
    this.blocking = blocking;
    this.clock = clock;
  }

  /** Checks the request; the replay then runs in the background and completes with how many messages it queued. */
  public CompletionStage<Integer> start(String tenantId, String endpointId, Instant since) {
    if (since == null) throw WebhookRefused.invalid("since", "required", "is required");
    if (since.isAfter(clock.instant())) throw WebhookRefused.invalid("since", "in_future", "must not be in the future");
    Instant readFrom = since.minus(CONTEXT_LEAD);
    List<String> entities = new ArrayList<>(List.of(PersistenceId.of(TenantQueue.ENTITY_KEY.name(), tenantId).id(),
        PersistenceId.of(Wallet.ENTITY_KEY.name(), tenantId).id(),
        PersistenceId.of(BookingCalendar.ENTITY_KEY.name(), tenantId).id()));
    entities.addAll(jdbi.withHandle(handle -> handle.createQuery(
            "SELECT room_id FROM calls WHERE tenant_id = :t AND created_at >= :from ORDER BY created_at, room_id")
        .bind("t", tenantId).bind("from", Timestamp.from(readFrom)).mapTo(String.class)
        .map(room -> PersistenceId.of(CallRoom.ENTITY_KEY.name(), room).id()).list()));
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    Map<String, Map<String, Object>> memory = new HashMap<>();
    WebhookCatalog.Context context = new WebhookCatalog.Context() {
      @Override
      public Optional<Map<String, Object>> get(String key) {
        return Optional.ofNullable(memory.get(key));
      }

      @Override
      public void put(String key, Map<String, Object> facts) {
        memory.put(key, facts);
      }

      @Override
      public void remove(String key) {
        memory.remove(key);
      }
    };
    long sinceMillis = since.toEpochMilli();
    return Source.from(entities)
        .flatMapConcat(pid -> journal.currentEventsByPersistenceId(pid, firstSequenceSince(pid, readFrom), Long.MAX_VALUE))
        .mapAsync(1, (EventEnvelope envelope) -> CompletableFuture.supplyAsync(() -> {
          Optional<WebhookEvent> event = WebhookCatalog.translate(envelope.persistenceId(), envelope.sequenceNr(),
              envelope.event(), context);
          if (event.isEmpty() || envelope.timestamp() < sinceMillis) return 0;
          return jdbi.withHandle(handle -> {
            try {
              return deliveries.fanOut(handle.getConnection(), event.get(), endpointId);
            } catch (SQLException e) {
              throw new IllegalStateException("cannot queue a replayed webhook message", e);
            }
          });
        }, blocking))
        .runWith(Sink.fold(0, Integer::sum), system)
        .whenComplete((queued, failure) -> {
          if (failure != null) log.warn("webhook replay for endpoint {} failed; asking again completes it", endpointId, failure);
          else log.info("webhook replay for endpoint {} queued {} messages", endpointId, queued);
        });
  }

  /** The entity's first sequence number written at or after {@code from} (the primary key's prefix finds it). */
  private long firstSequenceSince(String persistenceId, Instant from) {
    Long first = jdbi.withHandle(handle -> handle.createQuery("""
            SELECT MIN(sequence_number) FROM event_journal WHERE persistence_id = :pid AND write_timestamp >= :from""")
        .bind("pid", persistenceId).bind("from", from.toEpochMilli()).mapTo(Long.class).one());
    return first == null ? Long.MAX_VALUE : first;
  }
}
