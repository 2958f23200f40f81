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
  /** The signed-in user's sockets (agent consoles, agents' call rooms), by user id. */
  private final ConcurrentHashMap<String, Set<ActorRef<Sockets.Outbound>>> byUser = new ConcurrentHashMap<>();

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

  void opened(ActorRef<Sockets.Outbound> socket, String userId) {
    open.add(socket);
    if (userId != null) byUser.computeIfAbsent(userId, id -> ConcurrentHashMap.newKeySet()).add(socket);
  }

  void closed(ActorRef<Sockets.Outbound> socket, String userId) {
    open.remove(socket);
    if (userId != null) {
      byUser.computeIfPresent(userId, (id, sockets) -> {
        sockets.remove(socket);
        return sockets.isEmpty() ? null : sockets;
      });
    }
  }

  /** The user's sessions ended: each of its sockets on this node is told {@code reconnect} and closed. */
  public void endSessionsOf(String userId) {
    Set<ActorRef<Sockets.Outbound>> sockets = byUser.getOrDefault(userId, Set.of());
    String ended = ProtocolCodec.encode(WidgetEvent.class, new Reconnect("session_ended", 0));
    for (ActorRef<Sockets.Outbound> socket : sockets) {
      socket.tell(new Sockets.Frame(ended));
      socket.tell(new Sockets.Close());
    }
  }
}
