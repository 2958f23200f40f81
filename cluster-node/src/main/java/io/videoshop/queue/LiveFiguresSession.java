package io.videoshop.queue;

import io.videoshop.http.Sockets;
import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.Hello;
import io.videoshop.protocol.LiveEvent;
import io.videoshop.protocol.ProtocolCodec;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One admin dashboard's live figures socket ({@code /ws/live}): the tenant's queue as counts,
 * pushed from this node's {@link QueueFeed} of the tenant (the subscription the consoles share;
 * no names are decrypted for it), sent only when a figure changed. Today's totals come from the
 * reports at connect and every {@link #TODAY_EVERY}. The socket only listens: any frame from the
 * client is answered with an error.
 */
final class LiveFiguresSession {
  static final Duration TODAY_EVERY = Duration.ofMinutes(1);

  private LiveFiguresSession() {}

  interface Command extends NoSerializationVerificationNeeded {}

  record FromClient(Sockets.Inbound inbound) implements Command {}

  private record Viewed(QueueFeed.View view) implements Command {}

  private record TodayRead(LiveEvent.Today today) implements Command {}

  private record ReadToday() implements Command {}

  static Behavior<Command> create(String tenantId, ActorRef<Sockets.Outbound> out, ActorRef<QueueFeeds.Command> feeds,
      Supplier<CompletionStage<LiveEvent.Today>> today) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      out.tell(frame(new Hello("live", tenantId, ProtocolCodec.MAX_FRAME_BYTES)));
      feeds.tell(new QueueFeeds.Attach(tenantId, context.messageAdapter(QueueFeed.View.class, Viewed::new), false));
      timers.startTimerWithFixedDelay(new ReadToday(), Duration.ZERO, TODAY_EVERY);
      QueueView[] view = {null};
      LiveEvent.Today[] todays = {null};
      LiveEvent.Figures[] sent = {null};
      Runnable publish = () -> {
        if (view[0] == null) return;
        LiveEvent.Figures figures = LiveFigures.of(view[0], todays[0]);
        if (LiveFigures.sameFigures(figures, sent[0])) return;
        sent[0] = figures;
        // Only the newest figures matter: a slow dashboard gets the latest, not every step.
        out.tell(new Sockets.Frame(ProtocolCodec.encode(LiveEvent.class, figures), "figures"));
      };
      return Behaviors.receive(Command.class)
          .onMessage(Viewed.class, viewed -> {
            view[0] = viewed.view().view();
            publish.run();
            return Behaviors.same();
          })
          .onMessage(ReadToday.class, read -> {
            context.pipeToSelf(today.get(), (value, failure) -> new TodayRead(failure == null ? value : todays[0]));
            return Behaviors.same();
          })
          .onMessage(TodayRead.class, read -> {
            todays[0] = read.today();
            publish.run();
            return Behaviors.same();
          })
          .onMessage(FromClient.class, message -> {
            if (message.inbound() instanceof Sockets.Closed) return Behaviors.stopped();
            out.tell(frame(new ErrorMessage("read_only", "This socket only sends figures", null)));
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static Sockets.Frame frame(LiveEvent event) {
    return new Sockets.Frame(ProtocolCodec.encode(LiveEvent.class, event));
  }
}
