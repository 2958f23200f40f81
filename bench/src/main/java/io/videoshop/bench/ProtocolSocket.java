package io.videoshop.bench;

import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.Hello;
import io.videoshop.protocol.ProtocolCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One client socket speaking the real protocol (the JDK's WebSocket, {@link ProtocolCodec}): a
 * caller registers what it expects <em>before</em> sending the request that causes it, and gets
 * the message with the time it arrived. Messages nobody waits for are counted and dropped.
 *
 * @param <E> {@code WidgetEvent} or {@code ConsoleEvent}
 */
final class ProtocolSocket<E> implements WebSocket.Listener {
  static final Duration EXPECT_TIMEOUT = Duration.ofSeconds(20);

  /** A message and {@link System#nanoTime()} when its last fragment arrived. */
  record Received<E>(E event, long at) {}

  private record Waiter<E>(Predicate<E> wanted, CompletableFuture<Received<E>> future) {}

  /** Every frame received by any socket, and those no caller was waiting for. */
  static final AtomicLong FRAMES = new AtomicLong();
  static final AtomicLong UNEXPECTED_ERRORS = new AtomicLong();

  private final Class<E> type;
  private final List<Waiter<E>> waiters = new ArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private final CompletableFuture<Received<E>> hello = new CompletableFuture<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private CompletableFuture<WebSocket> sending;
  private WebSocket socket;

  private ProtocolSocket(Class<E> type) {
    this.type = type;
  }

  /** Connects and completes once the server's {@code hello} has arrived. */
  static <E> CompletableFuture<ProtocolSocket<E>> open(HttpClient http, URI uri, String origin, Class<E> type) {
    return open(http, uri, origin, null, type);
  }

  /** {@code bearer}: an access token sent in the upgrade's Authorization header (tokens never go in socket URLs). */
  static <E> CompletableFuture<ProtocolSocket<E>> open(HttpClient http, URI uri, String origin, String bearer,
      Class<E> type) {
    ProtocolSocket<E> client = new ProtocolSocket<>(type);
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20));
    if (origin != null) builder.header("Origin", origin);
    if (bearer != null) builder.header("Authorization", "Bearer " + bearer);
    return builder.buildAsync(uri, client)
        .thenCompose(socket -> {
          synchronized (client) {
            client.socket = socket;
            client.sending = CompletableFuture.completedFuture(socket);
          }
          return client.hello.orTimeout(EXPECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        })
        .thenApply(hello -> client);
  }

  /** The next message the predicate accepts (register before sending what causes it). */
  CompletableFuture<Received<E>> expect(Predicate<E> wanted) {
    CompletableFuture<Received<E>> future = new CompletableFuture<>();
    synchronized (waiters) {
      waiters.add(new Waiter<>(wanted, future));
    }
    return future.orTimeout(EXPECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next message of this class, or an error message (which fails the future). */
  <T extends E> CompletableFuture<Received<T>> expect(Class<T> kind) {
    return expect(event -> kind.isInstance(event) || event instanceof ErrorMessage).thenApply(received -> {
      if (received.event() instanceof ErrorMessage error) {
        throw new IllegalStateException(error.code() + ": " + error.message());
      }
      @SuppressWarnings("unchecked")
      Received<T> typed = (Received<T>) received;
      return typed;
    });
  }

  /**
   * Sends a request encoded by the codec; sends on one socket are chained (the JDK allows one at
   * a time).
   *
   * @return {@link System#nanoTime()} just before the frame was handed to the socket
   */
  <R> long send(Class<R> as, R request) {
    String text = ProtocolCodec.encode(as, request);
    long at = System.nanoTime();
    synchronized (this) {
      sending = sending.thenCompose(socket -> socket.sendText(text, true));
    }
    return at;
  }

  boolean isOpen() {
    return !closed.isDone();
  }

  void close() {
    WebSocket current;
    synchronized (this) {
      current = socket;
    }
    if (current == null) return;
    if (!current.isOutputClosed()) current.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    current.abort();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      long at = System.nanoTime();
      FRAMES.incrementAndGet();
      ProtocolCodec.Decoded<E> decoded = ProtocolCodec.decode(type, partial.toString());
      partial.setLength(0);
      E event = decoded.ok() ? decoded.message() : type.cast(decoded.error());
      deliver(new Received<>(event, at));
    }
    webSocket.request(1);
    return null;
  }

  private void deliver(Received<E> received) {
    if (received.event() instanceof Hello) {
      hello.complete(received);
      return;
    }
    Waiter<E> matched = null;
    synchronized (waiters) {
      for (Iterator<Waiter<E>> it = waiters.iterator(); it.hasNext(); ) {
        Waiter<E> waiter = it.next();
        if (waiter.future().isDone()) {
          it.remove();
        } else if (waiter.wanted().test(received.event())) {
          it.remove();
          matched = waiter;
          break;
        }
      }
    }
    if (matched != null) {
      matched.future().complete(received);
    } else if (received.event() instanceof ErrorMessage) {
      UNEXPECTED_ERRORS.incrementAndGet();
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    failWaiters(new IllegalStateException("closed by the server: " + statusCode + " " + reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
    hello.completeExceptionally(error);
    failWaiters(error);
  }

  private void failWaiters(Throwable cause) {
    List<Waiter<E>> failed;
    synchronized (waiters) {
      failed = new ArrayList<>(waiters);
      waiters.clear();
    }
    failed.forEach(waiter -> waiter.future().completeExceptionally(cause));
  }
}
