package io.videoshop.http;

import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.ProtocolCodec;
import io.videoshop.protocol.Reconnect;
import io.videoshop.protocol.WidgetEvent;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every socket session does with a client's frame before its own protocol: the rate limit
 * (errors, then a disconnect for a flooding client), the size and text checks, and decoding. A
 * frame that does not pass is answered here with an {@code error}; the socket stays open.
 */
public final class ClientFrames {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClientFrames.class);

  private ClientFrames() {}

  /**
   * The frame as a request of the session's protocol, or empty when it was refused (and
   * answered). Not for {@link Sockets.Closed}, which each session handles itself.
   */
  public static <T> Optional<T> read(Sockets.Inbound inbound, RateLimit rateLimit, Class<T> protocol,
      ActorRef<Sockets.Outbound> out) {
    switch (rateLimit.take(System.nanoTime())) {
      case REFUSED -> {
        send(out, ErrorMessage.of("rate_limited", "Too many messages; slow down"));
        return Optional.empty();
      }
      case FLOODING -> {
        // For incident investigation: the session's MDC carries its upgrade's request id.
        LOG.info("Closing a socket ({}): its client kept sending past the rate limit", protocol.getSimpleName());
        send(out, new Reconnect("flooding", 10_000));
        out.tell(new Sockets.Close());
        return Optional.empty();
      }
      default -> { }
    }
    if (inbound instanceof Sockets.Oversized) {
      send(out, ErrorMessage.of("frame_too_large", "Frames may be at most " + ProtocolCodec.MAX_FRAME_BYTES + " bytes"));
      return Optional.empty();
    }
    if (!(inbound instanceof Sockets.Text text)) {
      send(out, ErrorMessage.of("binary_not_supported", "Send JSON text frames"));
      return Optional.empty();
    }
    ProtocolCodec.Decoded<T> decoded = ProtocolCodec.decode(protocol, text.text());
    if (!decoded.ok()) {
      send(out, decoded.error());
      return Optional.empty();
    }
    return Optional.of(decoded.message());
  }

  /** Errors and reconnects read the same in every protocol (same type names), so one encoding serves all. */
  private static void send(ActorRef<Sockets.Outbound> out, WidgetEvent message) {
    out.tell(new Sockets.Frame(ProtocolCodec.encode(WidgetEvent.class, message)));
  }
}
