package io.videoshop.http;

import io.videoshop.protocol.ProtocolCodec;
import io.videoshop.protocol.Reconnect;
import io.videoshop.protocol.WidgetEvent;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's open sockets. When the node leaves (SIGTERM, a rolling upgrade), before it stops
 * taking requests, every socket is told {@code reconnect} (reason {@code node_leaving}) and
 * closed, so widgets, consoles and call rooms reconnect to another node at once — a shopper keeps
 * their place by resuming, a call participant rejoins the room with the same token.
 */
public final class LiveSockets implements Extension {
  /** Time for the reconnect frames to reach the clients before the server unbinds. */
  static final Duration FLUSH = Duration.ofMillis(500);

  public static final ExtensionId<LiveSockets> ID = new ExtensionId<>() {
    @Override
    public LiveSockets createExtension(ActorSystem<?> system) {
      return new LiveSockets(system);
    }
  };

  public static LiveSockets get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final Set<ActorRef<Sockets.Outbound>> open = ConcurrentHashMap.newKeySet();

  private LiveSockets(ActorSystem<?> system) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "tell-sockets-to-reconnect",
        () -> {
          String reconnect = ProtocolCodec.encode(WidgetEvent.class, new Reconnect("node_leaving", 0));
          for (ActorRef<Sockets.Outbound> socket : open) {
            socket.tell(new Sockets.Frame(reconnect));
            socket.tell(new Sockets.Close());
          }
          return CompletableFuture.supplyAsync(() -> Done.getInstance(),
              CompletableFuture.delayedExecutor(open.isEmpty() ? 0 : FLUSH.toMillis(), TimeUnit.MILLISECONDS));
        });
  }

  void opened(ActorRef<Sockets.Outbound> socket) {
    open.add(socket);
  }

  void closed(ActorRef<Sockets.Outbound> socket) {
    open.remove(socket);
  }
}
