package io.videoshop.room;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds calls whose room stopped ticking — the calls list ({@link CallsProjection}) says
 * "in-call" but no minute has been recorded for longer than a minute plus the reconnect grace,
 * as when the room's node died — and wakes each room. A woken room that was down longer than
 * the grace ends itself at its last sign of life plus the grace ({@link CallRoom}), so the
 * agent is freed and no minute after that is billed, without waiting for someone to touch it.
 * Every node sweeps (waking a room twice is harmless); one small query per interval.
 */
public final class RoomSweeper {
  private static final Logger log = LoggerFactory.getLogger(RoomSweeper.class);
  /** Rooms woken per sweep at most: the next sweep takes the rest. */
  static final int BATCH = 200;
  /** The calls list follows the journal with some delay: never take that delay for a dead room. */
  static final Duration PROJECTION_LAG = Duration.ofSeconds(30);

  private final Jdbi jdbi;
  private final ClusterSharding sharding;
  private final ActorSystem<?> system;
  private final Clock clock;
  private final Duration reconnectGrace;

  public RoomSweeper(ActorSystem<?> system, Jdbi jdbi, Clock clock, Duration reconnectGrace) {
    this.system = system;
    this.jdbi = jdbi;
    this.sharding = ClusterSharding.get(system);
    this.clock = clock;
    this.reconnectGrace = reconnectGrace;
  }

  public static void start(ActorSystem<?> system, Jdbi jdbi, Clock clock, Duration reconnectGrace, Duration interval,
      Executor blocking) {
    RoomSweeper sweeper = new RoomSweeper(system, jdbi, clock, reconnectGrace);
    system.scheduler().scheduleWithFixedDelay(interval, interval, () -> {
      try {
        sweeper.sweep();
      } catch (RuntimeException e) {
        log.warn("Sweeping stale calls failed; the next sweep tries again: {}", e.toString());
      }
    }, scala.concurrent.ExecutionContext.fromExecutor(blocking));
  }

  /** Wakes the rooms that look abandoned; answers how many. */
  public int sweep() {
    Instant staleBefore = clock.instant().minus(CallRoom.MINUTE).minus(reconnectGrace).minus(PROJECTION_LAG);
    // A call's last known tick is started_at + (minutes - 1) minutes; compared here in Java, so
    // the query stays the same on H2 and PostgreSQL.
    List<String> stale = jdbi.withHandle(handle -> handle.createQuery("""
            SELECT room_id, started_at, minutes FROM calls
            WHERE status = 'in-call' AND started_at < :staleBefore
            ORDER BY started_at LIMIT :batch""")
        .bind("staleBefore", Timestamp.from(staleBefore)).bind("batch", BATCH * 5)
        .map((rs, ctx) -> {
          Instant lastTick = rs.getTimestamp("started_at").toInstant()
              .plus(CallRoom.MINUTE.multipliedBy(Math.max(0, rs.getLong("minutes") - 1)));
          return lastTick.isBefore(staleBefore) ? rs.getString("room_id") : null;
        })
        .list()).stream().filter(java.util.Objects::nonNull).limit(BATCH).toList();
    for (String roomId : stale) {
      sharding.entityRefFor(CallRoom.ENTITY_KEY, roomId).tell(new CallRoom.GetRecord(system.ignoreRef()));
    }
    if (!stale.isEmpty()) log.info("Woke {} call rooms that stopped ticking", stale.size());
    return stale.size();
  }
}
