package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import com.fasterxml.jackson.annotation.JsonCreator;
import io.videoshop.tenant.BusinessHours;
import java.time.Duration;
import java.time.ZoneId;

/**
 * How one tenant's queue behaves. Owned by the tenant's settings (elsewhere) and pushed into the
 * queue with {@link TenantQueue.UpdateSettings}; the queue runs on {@link #DEFAULT} until then.
 *
 * @param maxLength tickets that may wait at once; a join beyond it is refused with {@code queue_full}
 * @param reservationTimeout how long an agent has to accept an offered ticket
 * @param routing which available agent gets the next ticket
 * @param reconnectGrace how long a disconnected shopper keeps their place
 * @param agentReconnectGrace how long a disconnected agent keeps their presence before going offline
 * @param maxWait how long a ticket may wait before the queue lets it go ({@code MAX_WAIT_REACHED});
 *     null: no limit (also what settings persisted before the limit existed read as)
 * @param hours the tenant's business hours: the queue opens and closes by them itself (its own
 *     timer at each opening and closing); null: opened and closed only by {@code UpdateOpening}
 */
public record QueueSettings(
    int maxLength,
    Duration reservationTimeout,
    RoutingStrategy routing,
    Duration reconnectGrace,
    Duration agentReconnectGrace,
    Duration maxWait,
    Hours hours)
    implements CborSerializable {

  /** Business hours in the tenant's time zone (an IANA id such as {@code Europe/Berlin}). */
  public record Hours(BusinessHours weekly, String zone) implements CborSerializable {
    ZoneId zoneId() {
      return ZoneId.of(zone);
    }
  }

  @JsonCreator
  public QueueSettings {}

  /** Without a maximum wait or business hours. */
  public QueueSettings(int maxLength, Duration reservationTimeout, RoutingStrategy routing, Duration reconnectGrace,
      Duration agentReconnectGrace) {
    this(maxLength, reservationTimeout, routing, reconnectGrace, agentReconnectGrace, null, null);
  }

  public QueueSettings withMaxWait(Duration next) {
    return new QueueSettings(maxLength, reservationTimeout, routing, reconnectGrace, agentReconnectGrace, next, hours);
  }

  public QueueSettings withHours(Hours next) {
    return new QueueSettings(maxLength, reservationTimeout, routing, reconnectGrace, agentReconnectGrace, maxWait, next);
  }

  public enum RoutingStrategy {
    /** The agent available the longest gets the ticket: spreads work by idle time. */
    LONGEST_IDLE,
    /** Agents take turns in the order they first joined the queue. */
    ROUND_ROBIN
  }

  public static final int MAX_LENGTH_LIMIT = 10_000;
  private static final Duration LONGEST_DURATION = Duration.ofHours(1);
  /** The tenant's policy allows up to a day ({@code queue.maxWaitSeconds}). */
  private static final Duration LONGEST_MAX_WAIT = Duration.ofDays(1);

  public static final QueueSettings DEFAULT = new QueueSettings(
      100, Duration.ofSeconds(20), RoutingStrategy.LONGEST_IDLE, Duration.ofSeconds(60), Duration.ofSeconds(10));

  /** Settings the queue can run on: a length within limits, durations between 1 s and 1 h, a maximum wait up to a day. */
  public boolean valid() {
    return maxLength >= 1 && maxLength <= MAX_LENGTH_LIMIT && routing != null
        && reasonable(reservationTimeout) && reasonable(reconnectGrace) && reasonable(agentReconnectGrace)
        && (maxWait == null
            || (maxWait.compareTo(Duration.ofSeconds(1)) >= 0 && maxWait.compareTo(LONGEST_MAX_WAIT) <= 0))
        && (hours == null || (hours.weekly() != null && validZone(hours.zone())));
  }

  private static boolean validZone(String zone) {
    try {
      return zone != null && ZoneId.of(zone) != null;
    } catch (java.time.DateTimeException e) {
      return false;
    }
  }

  private static boolean reasonable(Duration duration) {
    return duration != null
        && duration.compareTo(Duration.ofSeconds(1)) >= 0 && duration.compareTo(LONGEST_DURATION) <= 0;
  }
}
