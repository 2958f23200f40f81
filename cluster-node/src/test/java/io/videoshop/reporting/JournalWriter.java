package io.videoshop.reporting;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Persists fixed sequences of the entities' own events (TenantQueue, CallRoom records, through the
 * node's serializer) under the entities' persistence ids and tags, into the real journal, so the
 * real projections read them as they would read the entities': the way to pin timestamps (a DST
 * day, an event exactly at midnight) that a live entity takes from the clock.
 */
final class JournalWriter extends EventSourcedBehavior<JournalWriter.Write, Object, Long> {
  record Write(List<Object> events, ActorRef<Done> replyTo) implements NoSerializationVerificationNeeded {}

  private final String tag;

  private JournalWriter(PersistenceId id, String tag) {
    super(id);
    this.tag = tag;
  }

  @Override
  public Long emptyState() {
    return 0L;
  }

  @Override
  public CommandHandler<Write, Object, Long> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Write.class, (state, write) -> Effect().persist(write.events())
            .thenReply(write.replyTo(), after -> Done.getInstance()))
        .build();
  }

  @Override
  public EventHandler<Long, Object> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
  }

  @Override
  public Set<String> tagsFor(Object event) {
    return Set.of(tag);
  }

  /** One writer per persistence id in a system. */
  static final class Writers {
    private final ActorSystem<?> system;
    private final Map<String, ActorRef<Write>> writers = new ConcurrentHashMap<>();

    Writers(ActorSystem<?> system) {
      this.system = system;
    }

    void write(String entityType, String entityId, String tag, List<?> events) {
      ActorRef<Write> writer = writers.computeIfAbsent(entityType + "|" + entityId, pid -> system.systemActorOf(
          new JournalWriter(PersistenceId.of(entityType, entityId), tag), "journal-writer-" + writers.size() + "-"
              + Math.abs(pid.hashCode()), Props.empty()));
      AskPattern.<Write, Done>ask(writer, replyTo -> new Write(List.copyOf(events), replyTo), Duration.ofSeconds(30),
          system.scheduler()).toCompletableFuture().join();
    }
  }
}
