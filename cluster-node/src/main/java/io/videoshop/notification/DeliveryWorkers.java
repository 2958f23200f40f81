package io.videoshop.notification;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.videoshop.config.NotificationSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's delivery threads: each claims due rows of the kinds it has a {@link Channel} for,
 * delivers them one by one and records the outcome. A temporary failure is retried after
 * exponential backoff with jitter; a permanent one, or the last attempt, dead-letters the row.
 * Every node runs the same workers over the same table: leases keep them apart.
 */
public final class DeliveryWorkers {
  private static final Logger log = LoggerFactory.getLogger(DeliveryWorkers.class);

  private final Outbox outbox;
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  private final NotificationSettings.Outbox settings;
  private final MeterRegistry registry;
  private final String owner;
  private final Clock clock;
  private final Semaphore wakeUp = new Semaphore(0);
  private final AtomicBoolean running = new AtomicBoolean();
  /** Set by {@link #stop}: finish the delivery in hand, give back the rest of the batch. */
  private volatile boolean stopping;
  /** Set by {@link #halt}: deliver nothing more, give nothing back (the leases keep the rest). */
  private volatile boolean halted;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong oldestAgeSeconds = new AtomicLong();
  private final AtomicLong dead = new AtomicLong();
  private ExecutorService threads;
  private ScheduledExecutorService sampler;

  /**
   * @param owner this node's name in leases (unique per node and start)
   */
  public DeliveryWorkers(Outbox outbox, List<Channel> channels, NotificationSettings.Outbox settings,
      MeterRegistry registry, String owner, Clock clock) {
    this.outbox = outbox;
    for (Channel channel : channels) this.channels.put(channel.kind(), channel);
    this.settings = settings;
    this.registry = registry;
    this.owner = owner;
    this.clock = clock;
    Gauge.builder("videoshop_outbox_pending", pending, AtomicLong::get)
        .description("Outbox rows waiting for delivery (all kinds, all nodes)").register(registry);
    Gauge.builder("videoshop_outbox_oldest_age_seconds", oldestAgeSeconds, AtomicLong::get)
        .description("Age of the oldest pending outbox row").register(registry);
    Gauge.builder("videoshop_outbox_dead", dead, AtomicLong::get)
        .description("Dead-lettered outbox rows").register(registry);
  }

  /** Adds the channel of another kind (push, webhooks); before {@link #start()}. */
  public synchronized void register(Channel channel) {
    if (running.get()) throw new IllegalStateException("register channels before the workers start");
    channels.put(channel.kind(), channel);
  }

  /** Stops delivering this kind on this node (its rows wait); before {@link #start()}. */
  public synchronized void unregister(String kind) {
    if (running.get()) throw new IllegalStateException("unregister channels before the workers start");
    channels.remove(kind);
  }

  public synchronized void start() {
    if (!running.compareAndSet(false, true)) return;
    threads = Executors.newFixedThreadPool(settings.workers(), named("videoshop-outbox"));
    for (int i = 0; i < settings.workers(); i++) threads.execute(this::work);
    sampler = Executors.newSingleThreadScheduledExecutor(named("videoshop-outbox-sampler"));
    sampler.scheduleWithFixedDelay(this::sample, 0, 5, TimeUnit.SECONDS);
    sampler.scheduleWithFixedDelay(this::purge, 1, 10, TimeUnit.MINUTES);
  }

  /** Lets an idle worker look now (after this node wrote a row). */
  public void nudge() {
    if (wakeUp.availablePermits() < settings.workers()) wakeUp.release();
  }

  /**
   * Stops claiming, lets the delivery in hand of each worker finish (up to the time-out) and gives
   * the rest of their batches back to the outbox for the other nodes.
   */
  public synchronized void stop(Duration timeout) {
    if (!running.compareAndSet(true, false)) return;
    stopping = true;
    wakeUp.release(settings.workers());
    threads.shutdown();
    sampler.shutdownNow();
    try {
      if (!threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) threads.shutdownNow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      threads.shutdownNow();
    }
  }

  /** Stops at once, as a crash would: held rows stay leased until their lease runs out. */
  public synchronized void halt() {
    halted = true;
    running.set(false);
    if (threads != null) threads.shutdownNow();
    if (sampler != null) sampler.shutdownNow();
  }

  private void work() {
    while (running.get()) {
      int handled;
      try {
        handled = deliverDueBatch();
      } catch (RuntimeException e) {
        if (!running.get()) return;
        log.warn("Outbox worker cannot reach the outbox, trying again in {}: {}", settings.pollInterval(),
            e.getClass().getSimpleName());
        handled = 0;
      }
      if (handled == 0) {
        try {
          wakeUp.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** One claim and its deliveries; the number of rows claimed. */
  int deliverDueBatch() {
    List<OutboxMessage> batch = outbox.claim(channels.keySet(), owner, settings.lease(), settings.batchSize());
    for (int i = 0; i < batch.size(); i++) {
      // Halted (the node is going away hard): the rest of the batch waits for its lease to run out.
      if (halted) return batch.size();
      if (stopping) {
        // Stopping: what this worker has not tried yet goes back at once rather than when the lease ends.
        for (OutboxMessage untried : batch.subList(i, batch.size())) outbox.release(untried.id(), owner);
        return batch.size();
      }
      deliver(batch.get(i));
    }
    return batch.size();
  }

  private void deliver(OutboxMessage message) {
    Channel.Delivery outcome;
    try {
      outcome = channels.get(message.kind()).deliver(message);
    } catch (RuntimeException e) {
      // A channel bug is retried like a temporary failure; its message may quote the payload.
      outcome = new Channel.Delivery.RetryLater("delivery failed: " + e.getClass().getSimpleName());
    }
    String result;
    if (outcome instanceof Channel.Delivery.Delivered) {
      outbox.finish(message.id(), owner, Outbox.DELIVERED, null);
      result = "delivered";
    } else if (outcome instanceof Channel.Delivery.Gone gone) {
      outbox.finish(message.id(), owner, Outbox.GONE, gone.reason());
      result = "gone";
    } else if (outcome instanceof Channel.Delivery.PermanentFailure failure) {
      outbox.finish(message.id(), owner, Outbox.DEAD, failure.reason());
      log.warn("Outbox row {} ({} {}) refused for good, dead-lettered: {}", message.id(), message.kind(),
          message.topic(), failure.reason());
      result = "dead";
    } else {
      String reason = ((Channel.Delivery.RetryLater) outcome).reason();
      if (message.attempt() >= settings.maxAttempts()) {
        outbox.finish(message.id(), owner, Outbox.DEAD, "gave up after " + message.attempt() + " attempts: " + reason);
        log.warn("Outbox row {} ({} {}) dead-lettered after {} attempts: {}", message.id(), message.kind(),
            message.topic(), message.attempt(), reason);
        result = "dead";
      } else {
        Duration wait = backoff(message.attempt(), settings.backoffMin(), settings.backoffMax(),
            ThreadLocalRandom.current().nextDouble());
        outbox.retryAt(message.id(), owner, clock.instant().plus(wait), reason);
        result = "retry";
      }
    }
    counters.computeIfAbsent(message.kind() + "/" + message.topic() + "/" + result, key ->
        Counter.builder("videoshop_outbox_deliveries_total").description("Delivery attempts by kind, topic and result")
            .tag("kind", message.kind()).tag("topic", message.topic()).tag("result", result).register(registry))
        .increment();
  }

  /**
   * The wait before attempt {@code attempt + 1}: min * 2^(attempt-1), at most max, then "equal
   * jitter" (half fixed, half random) so rows that failed together do not come back together.
   *
   * @param random a number in [0, 1)
   */
  static Duration backoff(int attempt, Duration min, Duration max, double random) {
    double exponential = min.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
    double capped = Math.min(exponential, max.toMillis());
    return Duration.ofMillis((long) (capped / 2 + capped / 2 * random));
  }

  private void sample() {
    try {
      Outbox.Backlog backlog = outbox.backlog();
      pending.set(backlog.pending());
      oldestAgeSeconds.set(backlog.oldestAge().toSeconds());
      dead.set(backlog.dead());
    } catch (RuntimeException e) {
      log.debug("Outbox backlog sample failed: {}", e.getClass().getSimpleName());
    }
  }

  /** Every node purges; the deletes are idempotent, so that costs a few empty statements. */
  void purge() {
    try {
      int purged = outbox.purgeFinished(clock.instant().minus(settings.keepFinished()));
      if (purged > 0) log.info("Outbox: deleted {} rows finished more than {} ago", purged, settings.keepFinished());
    } catch (RuntimeException e) {
      log.debug("Outbox purge failed: {}", e.getClass().getSimpleName());
    }
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicLong next = new AtomicLong();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + next.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
