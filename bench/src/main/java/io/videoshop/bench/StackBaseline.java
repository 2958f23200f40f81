package io.videoshop.bench;

import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.Hello;
import io.videoshop.protocol.ProtocolCodec;
import io.videoshop.protocol.WaitRange;
import io.videoshop.protocol.WidgetEvent;
import io.videoshop.protocol.WidgetRequest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The stack's own ceiling for {@code bench-queue} (issue 17, point 7): the least server of
 * VideoShop's stack that answers the benchmark's widget load. Pekko HTTP WebSockets on
 * {@code /ws/widget?key=K}; one sharded event-sourced entity per tenant (K) that persists one
 * event per {@code join} and per {@code leave} through the same pekko-persistence-jdbc on the same
 * PostgreSQL, each answered with one frame ({@code queued}, {@code left}) encoded by the same
 * {@link ProtocolCodec}, after the same {@code hello}. No authentication, no personal data, no
 * read side: what is left of a join when every product rule is taken away. The same generator
 * drives it with {@code --stack-baseline=true}.
 *
 * <p>Arguments: HTTP port, JDBC URL (PostgreSQL, user postgres, no password). It creates the
 * journal's tables from the plugin's own schema when they are missing.
 */
public final class StackBaseline extends AllDirectives {
  /** The marker bound to Jackson CBOR, as VideoShop's entities are. */
  public interface Cbor {}

  public sealed interface Command extends Cbor {}

  public record JoinQueue(String ticketId, ActorRef<Integer> replyTo) implements Command {}

  public record LeaveQueue(String ticketId, ActorRef<Boolean> replyTo) implements Command {}

  public sealed interface Event extends Cbor {}

  public record Joined(String ticketId) implements Event {}

  public record Left(String ticketId) implements Event {}

  /** The tickets waiting, in order. */
  public record State(LinkedHashSet<String> tickets) implements Cbor {}

  static final EntityTypeKey<Command> QUEUE = EntityTypeKey.create(Command.class, "BaselineQueue");

  static final class Queue extends EventSourcedBehavior<Command, Event, State> {
    Queue(String tenant) {
      super(PersistenceId.of("BaselineQueue", tenant));
    }

    @Override
    public State emptyState() {
      return new State(new LinkedHashSet<>());
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(JoinQueue.class, (state, join) -> Effect().persist(new Joined(join.ticketId()))
              .thenReply(join.replyTo(), after -> after.tickets().size()))
          .onCommand(LeaveQueue.class, (state, leave) -> state.tickets().contains(leave.ticketId())
              ? Effect().persist(new Left(leave.ticketId())).thenReply(leave.replyTo(), after -> true)
              : Effect().reply(leave.replyTo(), false))
          .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState()
          .onEvent(Joined.class, (state, joined) -> {
            state.tickets().add(joined.ticketId());
            return state;
          })
          .onEvent(Left.class, (state, left) -> {
            state.tickets().remove(left.ticketId());
            return state;
          })
          .build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(100, 2); // as TenantQueue
    }
  }

  private static final Duration ASK = Duration.ofSeconds(5);
  private final ActorSystem<Void> system;
  private final ClusterSharding sharding;
  private final Materializer materializer;

  private StackBaseline(ActorSystem<Void> system) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.materializer = Materializer.matFromSystem(system);
    sharding.init(Entity.of(QUEUE, context -> new Queue(context.getEntityId())));
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String jdbcUrl = args[1];
    createJournalTables(jdbcUrl);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "baseline", config(jdbcUrl));
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    StackBaseline server = new StackBaseline(system);
    Http.get(system).newServerAt("127.0.0.1", port).bind(server.routes()).toCompletableFuture().join();
    System.out.println("stack baseline listening on 127.0.0.1:" + port);
  }

  private Route routes() {
    return concat(
        path("ready", () -> complete("ok")),
        pathPrefix("ws", () -> path("widget", () -> parameter("key", key -> handleWebSocketMessages(socket(key))))));
  }

  /** One widget socket: hello first, then one answer per request, in order. */
  private Flow<Message, Message, NotUsed> socket(String tenant) {
    EntityRef<Command> queue = sharding.entityRefFor(QUEUE, tenant);
    String[] ticket = new String[1];
    String hello = ProtocolCodec.encode(WidgetEvent.class, new Hello("shopper", tenant, ProtocolCodec.MAX_FRAME_BYTES));
    return Flow.<Message>create()
        .mapAsync(1, message -> !message.isText() ? CompletableFuture.completedFuture("")
            : message.asTextMessage().isStrict() ? CompletableFuture.completedFuture(message.asTextMessage().getStrictText())
            : message.asTextMessage().getStreamedText().runFold("", String::concat, materializer))
        .mapAsync(1, text -> answer(queue, ticket, text))
        .map(text -> (Message) TextMessage.create(text))
        .prepend(Source.single(TextMessage.create(hello)));
  }

  private CompletionStage<String> answer(EntityRef<Command> queue, String[] ticket, String text) {
    ProtocolCodec.Decoded<WidgetRequest> request = ProtocolCodec.decode(WidgetRequest.class, text);
    if (request.ok() && request.message() instanceof WidgetRequest.Join) {
      String ticketId = UUID.randomUUID().toString();
      ticket[0] = ticketId;
      return queue.<Integer>ask(reply -> new JoinQueue(ticketId, reply), ASK).thenApply(position ->
          ProtocolCodec.encode(WidgetEvent.class, new WidgetEvent.Queued(ticketId, "r-" + ticketId, position,
              new WaitRange(position * 60, position * 120))));
    }
    if (request.ok() && request.message() instanceof WidgetRequest.Leave && ticket[0] != null) {
      String ticketId = ticket[0];
      ticket[0] = null;
      return queue.<Boolean>ask(reply -> new LeaveQueue(ticketId, reply), ASK).thenApply(left ->
          ProtocolCodec.encode(WidgetEvent.class, new WidgetEvent.Left(ticketId, "left")));
    }
    return CompletableFuture.completedFuture(ProtocolCodec.encode(WidgetEvent.class,
        new ErrorMessage("not_in_queue", "the baseline takes join and leave only", null)));
  }

  private static Config config(String jdbcUrl) {
    return ConfigFactory.parseString("""
        pekko.loglevel = WARNING
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.actor.serialization-bindings { "io.videoshop.bench.StackBaseline$Cbor" = jackson-cbor }
        pekko.persistence.journal.plugin = "jdbc-journal"
        pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
        pekko.http.server.websocket.periodic-keep-alive-max-idle = 30s
        jdbc-journal.slick = ${slick}
        jdbc-snapshot-store.slick = ${slick}
        slick {
          profile = "slick.jdbc.PostgresProfile$"
          db {
            url = "%s"
            user = "postgres"
            password = ""
            driver = "org.postgresql.Driver"
            numThreads = 10
            maxConnections = 10
            minConnections = 10
          }
        }
        """.formatted(jdbcUrl)).withFallback(ConfigFactory.load()).resolve();
  }

  /** The plugin's own PostgreSQL schema, when the journal's table is not there yet. */
  private static void createJournalTables(String jdbcUrl) throws Exception {
    try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
        Statement statement = connection.createStatement()) {
      if (connection.getMetaData().getTables(null, null, "event_journal", null).next()) return;
      try (InputStream schema = StackBaseline.class.getResourceAsStream("/schema/postgres/postgres-create-schema.sql")) {
        // One statement at a time: its CREATE INDEX CONCURRENTLY cannot run inside a multi-statement batch.
        for (String sql : new String(schema.readAllBytes(), StandardCharsets.UTF_8).split(";")) {
          if (!sql.isBlank()) statement.execute(sql);
        }
      }
    }
  }
}
