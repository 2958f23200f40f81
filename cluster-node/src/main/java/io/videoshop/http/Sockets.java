package io.videoshop.http;

import io.videoshop.protocol.ProtocolCodec;
import io.videoshop.protocol.Reconnect;
import io.videoshop.protocol.WidgetEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import io.videoshop.metrics.NodeMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * A WebSocket served by one actor per connection: frames from the client reach the actor as
 * {@link Inbound} (text, or why it was not read), and what the actor tells its {@link Outbound}
 * ref goes to the client through a buffer that never holds the actor up. For a slow client the
 * buffer coalesces frames that only say the latest state (a shopper's position, the console's
 * queue): a newer one replaces the one still waiting. Every other frame (an offer, an
 * assignment, {@code reconnect}, signaling) is kept; a client that falls behind by
 * {@link #OUTBOUND_BUFFER} of those is closed rather than silently missing one. Either side
 * ending ends the other.
 */
public final class Sockets {
  /** Frames that cannot be coalesced a slow client may fall behind by before its socket is closed. */
  public static final int OUTBOUND_BUFFER = 128;

  private Sockets() {}

  public sealed interface Inbound extends NoSerializationVerificationNeeded {}

  public record Text(String text) implements Inbound {}

  /** Larger than {@link ProtocolCodec#MAX_FRAME_BYTES}: read to its end and discarded. */
  public record Oversized() implements Inbound {}

  public record Binary() implements Inbound {}

  /** The client went away (or the connection failed). */
  public record Closed() implements Inbound {}

  public sealed interface Outbound extends NoSerializationVerificationNeeded {}

  /**
   * @param latestOnly null for a frame that must reach the client; otherwise what the frame is the
   *     latest state of (e.g. "position"): while it waits for a slow client, a newer frame with the
   *     same value replaces it
   */
  public record Frame(String text, String latestOnly) implements Outbound {
    public Frame(String text) {
      this(text, null);
    }
  }

  /** The client fell too far behind on frames that may not be dropped. */
  static final class TooSlow extends RuntimeException {
    TooSlow() {
      super("the client fell " + OUTBOUND_BUFFER + " frames behind", null, false, false);
    }
  }

  /**
   * Frames waiting for a slow client, in order; a latest-only frame replaces the waiting one of
   * its kind (in the place of the newer one, so it never overtakes what was sent before it).
   */
  static final class Waiting {
    private final java.util.ArrayList<Frame> frames = new java.util.ArrayList<>();
    private final int limit;
    private boolean tooSlow;

    Waiting(int limit, Frame first) {
      this.limit = limit;
      frames.add(first);
    }

    Waiting add(Frame frame) {
      if (frame.latestOnly() != null) {
        frames.removeIf(waiting -> frame.latestOnly().equals(waiting.latestOnly()));
      }
      if (frames.size() >= limit) {
        tooSlow = true; // failed where the frames are handed on (a failing aggregate upsets conflate)
      } else {
        frames.add(frame);
      }
      return this;
    }

    List<Frame> frames() {
      if (tooSlow) throw new TooSlow();
      return frames;
    }
  }

  /** What reaches the client: frames only, coalesced while the client does not keep up. */
  static Flow<Outbound, Frame, NotUsed> toClient(int limit) {
    return Flow.<Outbound>create()
        .collectType(Frame.class)
        .conflateWithSeed(frame -> new Waiting(limit, frame), Waiting::add)
        .mapConcat(Waiting::frames);
  }

  /** Closes the socket after the frames before it. */
  public record Close() implements Outbound {}

  /**
   * The flow of one connection: spawns its actor with the ref to write to, and wraps what the
   * client sends into the actor's own message type.
   */
  public static <C> Flow<Message, Message, NotUsed> flow(ActorSystem<?> system, String kind,
      Function<ActorRef<Outbound>, Behavior<C>> session, Function<Inbound, C> wrap) {
    return flow(system, kind, null, session, wrap);
  }

  /**
   * A signed-in user's socket: it closes (after {@code reconnect}) when the user's sessions are
   * ended ({@link LiveSockets#endSessionsOf}) or, with {@code expiresAt}, when the credential it
   * was opened with expires (reason {@code token_expired}: reconnect with a fresh one).
   */
  public record Owner(String userId, Instant expiresAt) {}

  private static Duration untilExpiry(Instant expiresAt) {
    Duration left = Duration.between(Instant.now(), expiresAt);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * Built only when the flow materializes, that is once the upgrade was accepted: routes build it
   * for every request that passes their checks, and a plain GET (answered 400 by
   * {@code handleWebSocketMessages}) must leave no session actor, subscription or buffer behind.
   */
  public static <C> Flow<Message, Message, NotUsed> flow(ActorSystem<?> system, String kind, Owner owner,
      Function<ActorRef<Outbound>, Behavior<C>> session, Function<Inbound, C> wrap) {
    return Flow.fromMaterializer((materializer, attributes) -> connection(system, kind, owner, session, wrap))
        .mapMaterializedValue(started -> NotUsed.getInstance());
  }

  private static <C> Flow<Message, Message, NotUsed> connection(ActorSystem<?> system, String kind, Owner owner,
      Function<ActorRef<Outbound>, Behavior<C>> session, Function<Inbound, C> wrap) {
    Materializer materializer = Materializer.matFromSystem(system);
    Pair<ActorRef<Outbound>, Source<Outbound, NotUsed>> outbound = ActorSource.<Outbound>actorRef(
            // toClient() pulls at once, so this buffer only holds frames told within one pull;
            // failing (the socket closes) beats dropping one silently.
            message -> message instanceof Close, message -> Optional.empty(), OUTBOUND_BUFFER,
            OverflowStrategy.fail())
        .preMaterialize(materializer);
    ActorRef<C> actor = system.systemActorOf(session.apply(outbound.first()), kind + "-" + UUID.randomUUID(),
        Props.empty());
    Sink<Message, NotUsed> in = Flow.<Message>create()
        .mapAsync(1, message -> read(message, materializer))
        .map(wrap::apply)
        .to(ActorSink.actorRef(actor, wrap.apply(new Closed()), failure -> wrap.apply(new Closed())));
    Source<Message, NotUsed> out = outbound.second()
        .via(toClient(OUTBOUND_BUFFER))
        .map(frame -> (Message) TextMessage.create(frame.text()));
    AtomicInteger open = NodeMetrics.get(system).openSockets(kind);
    LiveSockets live = LiveSockets.get(system);
    String userId = owner == null ? null : owner.userId();
    return Flow.fromSinkAndSourceCoupled(in, out)
        .watchTermination((notUsed, done) -> {
          open.incrementAndGet();
          live.opened(outbound.first(), userId);
          Cancellable expiry = owner == null || owner.expiresAt() == null ? null
              : system.scheduler().scheduleOnce(untilExpiry(owner.expiresAt()), () -> {
                outbound.first().tell(new Frame(ProtocolCodec.encode(WidgetEvent.class,
                    new Reconnect("token_expired", 0))));
                outbound.first().tell(new Close());
              }, system.executionContext());
          done.whenComplete((ok, failure) -> {
            open.decrementAndGet();
            live.closed(outbound.first(), userId);
            if (expiry != null) expiry.cancel();
          });
          return NotUsed.getInstance();
        });
  }

  private static CompletionStage<Inbound> read(Message message, Materializer materializer) {
    if (!message.isText()) {
      return message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer)
          .thenApply(done -> new Binary());
    }
    TextMessage text = message.asTextMessage();
    if (text.isStrict()) return CompletableFuture.completedFuture(bounded(text.getStrictText()));
    // A streamed frame is read to its end but kept only up to the limit.
    return text.getStreamedText()
        .runFold(new StringBuilder(), (kept, part) -> kept.length() > ProtocolCodec.MAX_FRAME_BYTES
            ? kept : kept.append(part), materializer)
        .thenApply(kept -> bounded(kept.toString()));
  }

  private static Inbound bounded(String text) {
    boolean tooLarge = text.length() > ProtocolCodec.MAX_FRAME_BYTES
        || (text.length() * 3 > ProtocolCodec.MAX_FRAME_BYTES
            && text.getBytes(StandardCharsets.UTF_8).length > ProtocolCodec.MAX_FRAME_BYTES);
    return tooLarge ? new Oversized() : new Text(text);
  }
}
