package io.videoshop.webhook;

import io.videoshop.http.Json;
import io.videoshop.projection.ProjectionDatabase;
import io.videoshop.queue.TenantQueue;
import io.videoshop.room.CallRoom;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.wallet.Wallet;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * The webhook events: the queues', rooms', wallets' and calendars' journal events, read by tag,
 * become catalog events ({@link WebhookCatalog}) and one message per subscribed endpoint
 * ({@link WebhookDeliveries#fanOut}), written with the context the catalog keeps in the same
 * transaction as the projection's offset: exactly once into the delivery log, nothing lost or
 * invented by a crash. One projection per tag, each entity's events in their journal order.
 */
public final class WebhookEventProjection {
  public static final String NAME = "webhook-events";

  /** The entities whose events are in the catalog, and their tags. */
  static final Map<String, List<String>> TAGS = Map.of("TenantQueue", TenantQueue.TAGS, "CallRoom", CallRoom.TAGS,
      "Wallet", Wallet.TAGS, "BookingCalendar", BookingCalendar.TAGS);

  private WebhookEventProjection() {}

  public static void init(ActorSystem<?> system, WebhookDeliveries deliveries, Clock clock) {
    ProjectionDatabase database = ProjectionDatabase.get(system);
    TAGS.forEach((entity, tags) -> ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class,
        "WebhookEventProjection-" + entity, tags.size(),
        index -> ProjectionBehavior.create(database.<Object>exactlyOnce(system, NAME, tags.get(index),
            () -> new Handler(deliveries, clock))),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage())));
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<Object>, ProjectionDatabase.Session> {
    private final WebhookDeliveries deliveries;
    private final Clock clock;

    Handler(WebhookDeliveries deliveries, Clock clock) {
      this.deliveries = deliveries;
      this.clock = clock;
    }

    @Override
    public void process(ProjectionDatabase.Session session, EventEnvelope<Object> envelope) throws Exception {
      session.withConnection(connection -> {
        Optional<WebhookEvent> event = WebhookCatalog.translate(envelope.persistenceId(), envelope.sequenceNr(),
            envelope.event(), new TableContext(connection, clock));
        if (event.isPresent()) deliveries.fanOut(connection, event.get(), null);
        return null;
      });
    }
  }

  /** The catalog's context in {@code webhook_event_context}, over the projection's transaction. */
  static final class TableContext implements WebhookCatalog.Context {
    private final Connection connection;
    private final Clock clock;

    TableContext(Connection connection, Clock clock) {
      this.connection = connection;
      this.clock = clock;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> get(String key) {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT facts FROM webhook_event_context WHERE context_key = ?")) {
        select.setString(1, key);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? Optional.of(Json.MAPPER.readValue(rs.getString(1), Map.class)) : Optional.empty();
        }
      } catch (SQLException | java.io.IOException e) {
        throw new IllegalStateException("cannot read webhook event context", e);
      }
    }

    @Override
    public void put(String key, Map<String, Object> facts) {
      remove(key);
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO webhook_event_context (context_key, facts, updated_at) VALUES (?, ?, ?)")) {
        insert.setString(1, key);
        insert.setString(2, Json.write(facts));
        insert.setTimestamp(3, Timestamp.from(clock.instant()));
        insert.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot write webhook event context", e);
      }
    }

    @Override
    public void remove(String key) {
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM webhook_event_context WHERE context_key = ?")) {
        delete.setString(1, key);
        delete.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot write webhook event context", e);
      }
    }
  }
}
