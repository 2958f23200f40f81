package io.videoshop.node;

import io.videoshop.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A test-only sharded, event-sourced entity: proves the node's persistence stack (journal,
 * snapshots, CBOR serialization, sharding) end to end before the real entities exist.
 */
public final class ProbeCounter
    extends EventSourcedBehavior<ProbeCounter.Command, ProbeCounter.Added, ProbeCounter.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ProbeCounter");

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, context -> new ProbeCounter(context.getEntityId())));
  }

  public sealed interface Command extends CborSerializable {}

  public record Add(String label, ActorRef<State> replyTo) implements Command {}

  public record Get(ActorRef<State> replyTo) implements Command {}

  public record Added(String label) implements CborSerializable {}

  public record State(List<String> labels) implements CborSerializable {
    State with(String label) {
      List<String> next = new ArrayList<>(labels);
      next.add(label);
      return new State(List.copyOf(next));
    }
  }

  private ProbeCounter(String id) {
    super(PersistenceId.of(ENTITY_KEY.name(), id));
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public CommandHandler<Command, Added, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Add.class, (state, add) -> Effect().persist(new Added(add.label())).thenReply(add.replyTo(), s -> s))
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<State, Added> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Added.class, (state, added) -> state.with(added.label())).build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(3, 2);
  }
}
