package io.videoshop.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.notification.Channel;
import io.videoshop.notification.Outbox;
import io.videoshop.notification.OutboxMessage;
import io.videoshop.persistence.CborSerializable;
import io.videoshop.push.PushSubscriptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The agent's console notice before an appointment (besides the push): an outbox row of kind
 * {@value #KIND} due {@code agentReminderMinutes} before the start, queued by {@link BookingMails}
 * with the booking's reminders (withdrawn with them when the booking moves). The node whose
 * workers claim it publishes the notice on a cluster-wide topic; every agent console session
 * (queue's {@code AgentSession}) subscribes and passes on the notices for its own agent as an
 * {@code appointment-soon} frame. A console that is not open misses it; the push is the durable
 * way to reach the agent.
 */
public final class AppointmentNotices implements Extension {
  public static final String KIND = "console";
  static final String TOPIC = "appointment_notice";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An appointment of {@code agentId} starts at {@code startsAt}. */
  public record AppointmentSoon(String tenantId, String agentId, String bookingId, Instant startsAt)
      implements CborSerializable {}

  public static final ExtensionId<AppointmentNotices> ID = new ExtensionId<>() {
    @Override
    public AppointmentNotices createExtension(ActorSystem<?> system) {
      return new AppointmentNotices(system);
    }
  };

  public static AppointmentNotices get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final ActorRef<Topic.Command<AppointmentSoon>> topic;

  private AppointmentNotices(ActorSystem<?> system) {
    this.topic = system.systemActorOf(Topic.create(AppointmentSoon.class, "appointment-notices"),
        "appointment-notices-topic", Props.empty());
  }

  /** Notices for every agent; the subscriber picks its own. Unsubscribed when it stops. */
  public void subscribe(ActorRef<AppointmentSoon> subscriber) {
    topic.tell(Topic.subscribe(subscriber));
  }

  void publish(AppointmentSoon notice) {
    topic.tell(Topic.publish(notice));
  }

  /** This node's view of the topic (subscribers here, topic instances elsewhere): tests wait for the cluster's. */
  java.util.concurrent.CompletionStage<Topic.TopicStats> stats(ActorSystem<?> system) {
    return org.apache.pekko.actor.typed.javadsl.AskPattern.ask(topic, Topic::getTopicStats,
        java.time.Duration.ofSeconds(3), system.scheduler());
  }

  /** Queues the console notice, due at {@code dueAt}, over a projection's connection. */
  static void enqueue(Outbox outbox, Connection connection, String tenantId, String agentId, String bookingId,
      Instant startsAt, Instant dueAt, String dedupKey) throws SQLException {
    String payload = JSON.createObjectNode().put("agentId", agentId).put("bookingId", bookingId)
        .put("startsAt", startsAt.toString()).toString();
    outbox.enqueue(connection, new Outbox.Draft(KIND, TOPIC, tenantId, PushSubscriptions.subjectOf(agentId), payload,
        dedupKey), dueAt);
  }

  /** Delivers the console rows: publishes each notice unless its appointment has started. */
  public Channel channel(Clock clock) {
    return new Channel() {
      @Override
      public String kind() {
        return KIND;
      }

      @Override
      public Delivery deliver(OutboxMessage message) {
        JsonNode notice;
        try {
          notice = JSON.readTree(message.payload());
        } catch (java.io.IOException e) {
          return new Delivery.PermanentFailure("unreadable notice");
        }
        Instant startsAt = Instant.parse(notice.path("startsAt").asText());
        if (!clock.instant().isBefore(startsAt)) return new Delivery.Gone("the appointment has started");
        publish(new AppointmentSoon(message.tenantId(), notice.path("agentId").asText(),
            notice.path("bookingId").asText(), startsAt));
        return Delivery.DELIVERED;
      }
    };
  }
}
