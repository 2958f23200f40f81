package io.videoshop.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.internal.Telemetry;

/**
 * How far each projection instance is behind the journal: for every event it handles, the time
 * from the event's persist to its handling ({@code videoshop_projection_lag_seconds}, a timer, and
 * the last value as a gauge per instance), and its failures. Registered for every projection in
 * projection.conf ({@code pekko.projection.telemetry.implementations}); Pekko Projections creates
 * one per running projection instance.
 */
public final class ProjectionLag implements Telemetry {
  /** Per registry and instance: a restarted instance reports into the gauges of the one before it. */
  private static final Map<MeterRegistry, Map<ProjectionId, AtomicLong[]>> GAUGES =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final Timer lag;
  private final AtomicLong lastLagMillis;
  private final AtomicLong failures;

  public ProjectionLag(ProjectionId id, ActorSystem<?> system) {
    MeterRegistry registry = NodeMetrics.get(system).registry();
    AtomicLong[] gauges = GAUGES.computeIfAbsent(registry, r -> new ConcurrentHashMap<>())
        .computeIfAbsent(id, i -> register(registry, i));
    lastLagMillis = gauges[0];
    failures = gauges[1];
    lag = Timer.builder("videoshop_projection_lag_seconds")
        .description("Time from an event's persist to its handling by a projection")
        .tag("projection", id.name())
        .publishPercentiles(0.5, 0.99)
        .register(registry);
  }

  private static AtomicLong[] register(MeterRegistry registry, ProjectionId id) {
    AtomicLong lastLagMillis = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    Gauge.builder("videoshop_projection_last_lag_seconds", lastLagMillis, v -> v.get() / 1000.0)
        .description("The lag of the last event a projection instance handled")
        .tags("projection", id.name(), "key", id.key())
        .register(registry);
    Gauge.builder("videoshop_projection_failures", failures, AtomicLong::get)
        .description("Failures of a projection instance since the node started (each one restarts it)")
        .tags("projection", id.name(), "key", id.key())
        .register(registry);
    return new AtomicLong[] {lastLagMillis, failures};
  }

  @Override
  public <Envelope> Object beforeProcess(Envelope envelope, long creationTimeInMillis) {
    long persistedAt = persistedAt(envelope);
    if (persistedAt > 0) {
      long millis = Math.max(0, System.currentTimeMillis() - persistedAt);
      lastLagMillis.set(millis);
      lag.record(Duration.ofMillis(millis));
    }
    return null;
  }

  private static long persistedAt(Object envelope) {
    if (envelope instanceof org.apache.pekko.projection.eventsourced.EventEnvelope<?> tagged) return tagged.timestamp();
    if (envelope instanceof org.apache.pekko.persistence.query.typed.EventEnvelope<?> typed) return typed.timestamp();
    if (envelope instanceof org.apache.pekko.persistence.query.EventEnvelope classic) return classic.timestamp();
    return 0;
  }

  @Override
  public void afterProcess(Object context) {}

  @Override
  public void onOffsetStored(int numberOfEnvelopes) {}

  @Override
  public void error(Throwable cause) {
    failures.incrementAndGet();
  }

  @Override
  public void failed(Throwable cause) {
    failures.incrementAndGet();
  }

  @Override
  public void stopped() {}
}
