package io.videoshop.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (the JDK's) that keeps every message it receives, for tests. */
public final class SocketClient implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
  private final List<JsonNode> seen = new ArrayList<>();
  /** Received but not yet taken by {@link #next}, in arrival order. */
  private final List<JsonNode> backlog = new ArrayList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final WebSocket socket;

  private SocketClient(String url, String origin) throws Exception {
    this(url, origin, null);
  }

  private SocketClient(String url, String origin, String forwardedFor) throws Exception {
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) builder.header("Origin", origin);
    if (forwardedFor != null) builder.header("X-Forwarded-For", forwardedFor);
    socket = builder.buildAsync(URI.create(url), new Listener()).get(10, TimeUnit.SECONDS);
  }

  public static SocketClient widget(int port, String key, String origin) throws Exception {
    return new SocketClient("ws://127.0.0.1:" + port + "/ws/widget?key=" + key, origin);
  }

  /** The agent console, as the browser opens it: a one-time ticket for the access token, in the URL. */
  public static SocketClient agent(int port, String accessToken) throws Exception {
    return new SocketClient("ws://127.0.0.1:" + port + "/ws/agent?ticket=" + agentTicket(port, accessToken), null);
  }

  /** The admin dashboard's live figures, as the browser opens them: a one-time ticket, in the URL. */
  public static SocketClient live(int port, String accessToken) throws Exception {
    return new SocketClient("ws://127.0.0.1:" + port + "/ws/live?ticket=" + agentTicket(port, accessToken), null);
  }

  /** A call room, as the browser opens it: a one-time ticket for the room token, in the URL. */
  public static SocketClient room(int port, String roomToken) throws Exception {
    return new SocketClient("ws://127.0.0.1:" + port + "/ws/room?ticket=" + roomTicket(port, roomToken), null);
  }

  public static String agentTicket(int port, String accessToken) {
    ApiClient.Reply reply = new ApiClient(port).call("POST", "/api/v1/auth/socket-ticket").bearer(accessToken).send();
    if (reply.status() != 201) throw new AssertionError("no console ticket: " + reply);
    return reply.json().get("ticket").asText();
  }

  public static String roomTicket(int port, String roomToken) {
    ApiClient.Reply reply = new ApiClient(port).call("POST", "/api/v1/rooms/socket-ticket")
        .body(java.util.Map.of("roomToken", roomToken)).send();
    if (reply.status() != 201) throw new AssertionError("no room ticket: " + reply);
    return reply.json().get("ticket").asText();
  }

  /** A widget socket from a client a trusted proxy names with X-Forwarded-For. */
  public static SocketClient widget(int port, String key, String origin, String forwardedFor) throws Exception {
    return new SocketClient("ws://127.0.0.1:" + port + "/ws/widget?key=" + key, origin, forwardedFor);
  }

  /** Connects or returns the HTTP status that refused the upgrade. */
  public static int refusedStatus(String url, String origin) {
    try {
      new SocketClient(url, origin).close();
      return 101;
    } catch (Exception e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.net.http.WebSocketHandshakeException handshake) {
        return handshake.getResponse().statusCode();
      }
      throw new AssertionError("connect failed", e);
    }
  }

  /**
   * Sends a message; like the page's client (client.js) it adds the protocol version {@code v}
   * to a map that has none. A String is sent exactly as it is.
   */
  public SocketClient send(Object message) {
    if (message instanceof java.util.Map<?, ?> map && !map.containsKey("v")) {
      java.util.Map<Object, Object> versioned = new java.util.LinkedHashMap<>();
      versioned.put("v", io.videoshop.protocol.ProtocolCodec.VERSION);
      versioned.putAll(map);
      message = versioned;
    }
    String text = message instanceof String raw ? raw : Json.write(message);
    socket.sendText(text, true).join();
    return this;
  }

  /** A binary frame (the protocol is text only). */
  public SocketClient sendBinary(byte[] bytes) {
    socket.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).join();
    return this;
  }

  /** The first message of this type not taken yet (others stay for later calls). */
  public JsonNode next(String type) {
    return next(message -> type.equals(message.path("type").asText()), type);
  }

  public JsonNode next(Predicate<JsonNode> wanted, String what) {
    for (int i = 0; i < backlog.size(); i++) {
      if (wanted.test(backlog.get(i))) return backlog.remove(i);
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonNode message = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
        if (message == null) {
          throw new AssertionError("no " + what + " within " + WAIT + " (socket " + (closed.isDone()
              ? "closed, code " + closed.getNow(null) : "open") + "); saw " + seen);
        }
        synchronized (seen) {
          seen.add(message);
        }
        if (wanted.test(message)) return message;
        backlog.add(message);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public List<JsonNode> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  /** The close code once the server closed the socket. */
  public int awaitClosed() throws Exception {
    return closed.get(15, TimeUnit.SECONDS);
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  /** Sends a close frame after what was sent, without cutting the connection: the server reads both. */
  public void closeGracefully() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          inbox.add(Json.MAPPER.readTree(partial.toString()));
        } catch (Exception e) {
          inbox.add(Json.MAPPER.createObjectNode().put("type", "unparseable").put("text", partial.toString()));
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }
  }
}
