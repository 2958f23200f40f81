package io.videoshop.webhook;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.queue.TenantQueue;
import io.videoshop.room.CallRoom;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.wallet.Wallet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
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

  /** Call rooms read from the {@code calls} table at a time, so a tenant's many calls are never all in memory. */
  static final int ROOM_PAGE = 500;

  private final ActorSystem<?> system;
  private final Jdbi jdbi;
  private final WebhookDeliveries deliveries;
  private final AuditLog audit;
  private final Executor blocking;
  private final Clock clock;

  public WebhookReplay(ActorSystem<?> system, Jdbi jdbi, WebhookDeliveries deliveries, AuditLog audit,
      Executor blocking, Clock clock) {
    this.system = system;
    this.jdbi = jdbi;
    this.deliveries = deliveries;
    this.audit = audit;
    this.blocking = blocking;
    this.clock = clock;
  }

  /**
   * Checks the request and audits it ({@code webhook_endpoint.replay_requested}); the replay then
   * runs in the background and completes with how many messages it queued. It streams: the
   * journal a page at a time, the call rooms {@link #ROOM_PAGE} at a time, and each entity's
   * context only while that entity is read.
   */
  public CompletionStage<Integer> start(Caller caller, String tenantId, String endpointId, Instant since) {
    if (since == null) throw WebhookRefused.invalid("since", "required", "is required");
    if (since.isAfter(clock.instant())) throw WebhookRefused.invalid("since", "in_future", "must not be in the future");
    audit.record(caller, new AuditLog.Change(tenantId, "webhook_endpoint.replay_requested", "webhook_endpoint",
        endpointId, null, Map.of("since", since.toString())));
    Instant readFrom = since.minus(CONTEXT_LEAD);
    Source<String, NotUsed> entities = Source.from(List.of(
            PersistenceId.of(TenantQueue.ENTITY_KEY.name(), tenantId).id(),
            PersistenceId.of(Wallet.ENTITY_KEY.name(), tenantId).id(),
            PersistenceId.of(BookingCalendar.ENTITY_KEY.name(), tenantId).id()))
        .concat(rooms(tenantId, readFrom, ROOM_PAGE).map(room -> PersistenceId.of(CallRoom.ENTITY_KEY.name(), room).id()));
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    long sinceMillis = since.toEpochMilli();
    return entities
        .flatMapConcat(pid -> {
          // The catalog's context never spans entities (a queue's tickets, a room's products), so each has its own.
          WebhookCatalog.Context context = new MemoryContext();
          CompletionStage<Source<EventEnvelope, NotUsed>> read = CompletableFuture
              .supplyAsync(() -> firstSequenceSince(pid, readFrom), blocking)
              .thenApply(first -> journal.currentEventsByPersistenceId(pid, first, Long.MAX_VALUE));
          return Source.completionStageSource(read)
              .mapAsync(1, (EventEnvelope envelope) -> CompletableFuture.supplyAsync(() -> {
                Optional<WebhookEvent> event = WebhookCatalog.translate(envelope.persistenceId(),
                    envelope.sequenceNr(), envelope.event(), context);
                if (event.isEmpty() || envelope.timestamp() < sinceMillis) return 0;
                return jdbi.withHandle(handle -> {
                  try {
                    return deliveries.fanOut(handle.getConnection(), event.get(), endpointId);
                  } catch (SQLException e) {
                    throw new IllegalStateException("cannot queue a replayed webhook message", e);
                  }
                });
              }, blocking));
        })
        .runWith(Sink.fold(0, Integer::sum), system)
        .whenComplete((queued, failure) -> {
          if (failure != null) log.warn("webhook replay for endpoint {} failed; asking again completes it", endpointId, failure);
          else log.info("webhook replay for endpoint {} queued {} messages", endpointId, queued);
        });
  }

  /** The tenant's call rooms opened from {@code from} on, oldest first, read {@code page} rows at a time. */
  Source<String, NotUsed> rooms(String tenantId, Instant from, int page) {
    record Cursor(Timestamp createdAt, String roomId) {}
    record Row(String roomId, Timestamp createdAt) {}
    return Source.unfoldAsync(Optional.<Cursor>empty(), (Optional<Cursor> after) -> CompletableFuture.supplyAsync(
            () -> {
              List<Row> rows = jdbi.withHandle(handle -> {
                var query = handle.createQuery("""
                        SELECT room_id, created_at FROM calls WHERE tenant_id = :t AND created_at >= :from
                        """ + (after.isPresent() ? "AND (created_at > :at OR (created_at = :at AND room_id > :room)) " : "")
                        + "ORDER BY created_at, room_id LIMIT :page")
                    .bind("t", tenantId).bind("from", Timestamp.from(from)).bind("page", page);
                after.ifPresent(cursor -> query.bind("at", cursor.createdAt()).bind("room", cursor.roomId()));
                return query.map((rs, ctx) -> new Row(rs.getString("room_id"), rs.getTimestamp("created_at"))).list();
              });
              if (rows.isEmpty()) return Optional.<Pair<Optional<Cursor>, List<String>>>empty();
              Row last = rows.get(rows.size() - 1);
              return Optional.of(Pair.create(Optional.of(new Cursor(last.createdAt(), last.roomId())),
                  rows.stream().map(Row::roomId).toList()));
            }, blocking))
        .mapConcat(rooms -> rooms);
  }

  /** A replay's catalog context: one entity's, in memory, dropped when the entity is read (also the catalog tests'). */
  static final class MemoryContext implements WebhookCatalog.Context {
    final Map<String, Map<String, Object>> facts = new HashMap<>();

    @Override
    public Optional<Map<String, Object>> get(String key) {
      return Optional.ofNullable(facts.get(key));
    }

    @Override
    public void put(String key, Map<String, Object> value) {
      facts.put(key, value);
    }

    @Override
    public void remove(String key) {
      facts.remove(key);
    }
  }

  /** The entity's first sequence number written at or after {@code from} (the primary key's prefix finds it). */
  private long firstSequenceSince(String persistenceId, Instant from) {
    Long first = jdbi.withHandle(handle -> handle.createQuery("""
            SELECT MIN(sequence_number) FROM event_journal WHERE persistence_id = :pid AND write_timestamp >= :from""")
        .bind("pid", persistenceId).bind("from", from.toEpochMilli()).mapTo(Long.class).one());
    return first == null ? Long.MAX_VALUE : first;
  }
}
