package io.videoshop.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.videoshop.persistence.CborSerializable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * Persistence latency as the entities see it: every few seconds this node persists one small
 * event through the real journal and times the write ({@code videoshop_journal_write_seconds}).
 * Old probe events are deleted with each snapshot, so the probe never grows the journal.
 */
public final class JournalLatencyProbe extends EventSourcedBehavior<JournalLatencyProbe.Probe, JournalLatencyProbe.Probed, Long> {
  static final Duration EVERY = Duration.ofSeconds(15);

  public record Probe(long sentNanos) implements CborSerializable {}

  public record Probed(long sentNanos) implements CborSerializable {}

  public static void start(ActorSystem<?> system, MeterRegistry registry) {
    Timer timer = Timer.builder("videoshop_journal_write_seconds")
        .description("Time to persist one event through the journal (a probe every 15 s)")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    String node = system.address().hostPort().replace('@', '-');
    Behavior<Probe> probe = Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay("probe", new Probe(0), Duration.ofSeconds(1), EVERY);
      return new JournalLatencyProbe(node, timer);
    }));
    system.systemActorOf(probe, "journal-latency-probe", Props.empty());
  }

  private final Timer timer;

  private JournalLatencyProbe(String node, Timer timer) {
    super(PersistenceId.of("JournalProbe", node));
    this.timer = timer;
  }

  @Override
  public Long emptyState() {
    return 0L;
  }

  @Override
  public CommandHandler<Probe, Probed, Long> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onAnyCommand((state, probe) -> {
      long started = System.nanoTime();
      return Effect().persist(new Probed(started))
          .thenRun(after -> timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
    });
  }

  @Override
  public EventHandler<Long, Probed> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((count, event) -> count + 1);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(20, 1).withDeleteEventsOnSnapshot();
  }
}
