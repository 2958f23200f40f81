package io.videoshop.room;

import io.videoshop.domain.RoomPass;
import io.videoshop.http.ClientFrames;
import io.videoshop.http.RateLimit;
import io.videoshop.http.Sockets;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.protocol.ErrorMessage;
import io.videoshop.protocol.ProtocolCodec;
import io.videoshop.protocol.RoomEvent;
import io.videoshop.protocol.RoomRequest;
import io.videoshop.tenant.TenantSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * One participant's room socket: joins the {@link CallRoom} with the participant's room pass,
 * checks and forwards what the browser sends (signaling, device details, products, feedback),
 * and writes what the room sends. Personal text (the IP, the feedback comment, the wrap-up note)
 * is encrypted here, under the shopper's data subject, before it reaches the room. If the room
 * stops (it moved to another node, or restarted) the session joins it again.
 */
final class RoomSession extends AbstractBehavior<RoomSession.Command> {
  static final Set<String> CANDIDATE_TYPES = Set.of("host", "srflx", "prflx", "relay");

  interface Command extends NoSerializationVerificationNeeded {}

  record FromClient(Sockets.Inbound inbound) implements Command {}

  private record FromRoom(CallRoom.Outgoing outgoing) implements Command {}

  private record IpEncrypted(EncryptedPersonalData ip, Throwable failure) implements Command {}

  private record JoinAnswer(CallRoom.JoinReply reply, Throwable failure) implements Command {}

  private record RoomStopped() implements Command {}

  private record Encrypted(CallRoom.Command command, Throwable failure) implements Command {}

  /** What the session knows when it opens. */
  record Opening(RoomPass pass, String ip, String userAgent, TenantSettings.CallPolicy policy,
      List<RoomEvent.IceServer> iceServers) {}

  static Behavior<Command> create(Opening opening, ActorRef<Sockets.Outbound> out, EntityRef<CallRoom.Command> entity,
      PersonalDataVault vault, Executor blocking) {
    return Behaviors.setup(context -> new RoomSession(context, opening, out, entity, vault, blocking));
  }

  private final Opening opening;
  private final Duration askTimeout;
  private final RoomPass pass;
  private final ActorRef<Sockets.Outbound> out;
  private final EntityRef<CallRoom.Command> entity;
  private final PersonalDataVault vault;
  private final Executor blocking;
  private final ActorRef<CallRoom.Outgoing> self;
  private final RateLimit rateLimit = new RateLimit(60, 20, System.nanoTime());
  private EncryptedPersonalData ip;
  private ActorRef<CallRoom.Command> room;

  private RoomSession(ActorContext<Command> context, Opening opening, ActorRef<Sockets.Outbound> out,
      EntityRef<CallRoom.Command> entity, PersonalDataVault vault, Executor blocking) {
    super(context);
    this.askTimeout = io.videoshop.config.ClusterSettings.askTimeout(context.getSystem().settings().config());
    this.opening = opening;
    this.pass = opening.pass();
    this.out = out;
    this.entity = entity;
    this.vault = vault;
    this.blocking = blocking;
    this.self = context.messageAdapter(CallRoom.Outgoing.class, FromRoom::new);
    String subject = subjectOf(pass);
    context.pipeToSelf(CompletableFuture.supplyAsync(() -> vault.encrypt(subject, opening.ip()), blocking),
        IpEncrypted::new);
  }

  /** Whose personal data the participant's IP is: the shopper's subject, or the agent as a user. */
  static String subjectOf(RoomPass pass) {
    return pass.isAgent() ? "user-" + pass.agentId() : pass.shopperSubject();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(IpEncrypted.class, encrypted -> {
          ip = encrypted.ip();
          join();
          return this;
        })
        .onMessage(JoinAnswer.class, this::onJoinAnswer)
        .onMessage(RoomStopped.class, stopped -> {
          room = null;
          join();
          return this;
        })
        .onMessage(FromRoom.class, message -> {
          out.tell(new Sockets.Frame(message.outgoing().frame()));
          if (message.outgoing().close()) out.tell(new Sockets.Close());
          return this;
        })
        .onMessage(FromClient.class, message -> onClient(message.inbound()))
        .onMessage(Encrypted.class, encrypted -> {
          if (encrypted.failure() != null) return error("unavailable", "Try again", null);
          tellRoom(encrypted.command());
          return this;
        })
        .build();
  }

  private void join() {
    TenantSettings.CallPolicy policy = opening.policy();
    getContext().ask(CallRoom.JoinReply.class, entity, askTimeout,
        replyTo -> new CallRoom.Join(pass, self, opening.userAgent(), ip, policy.maxCallMinutes(),
            policy.wrapUpSeconds(), replyTo),
        JoinAnswer::new);
  }

  private Behavior<Command> onJoinAnswer(JoinAnswer answer) {
    if (answer.failure() != null) {
      send(ErrorMessage.of("unavailable", "The room did not answer; reconnect"));
      out.tell(new Sockets.Close());
      return this;
    }
    if (answer.reply() instanceof CallRoom.Retiring) {
      join(); // through the shard again: it keeps the join for the room's next incarnation
      return this;
    }
    if (answer.reply() instanceof CallRoom.Refused refused) {
      send(ErrorMessage.of(refused.code(), refused.message()));
      out.tell(new Sockets.Close());
      return this;
    }
    CallRoom.Admitted admitted = (CallRoom.Admitted) answer.reply();
    room = admitted.room();
    getContext().watchWith(room, new RoomStopped());
    String state = switch (admitted.status()) {
      case IN_CALL -> "in-call";
      case ENDED -> "ended";
      default -> "waiting";
    };
    send(new RoomEvent.Joined(pass.roomId(), pass.role(), opening.iceServers(), admitted.peerConnected(), state,
        admitted.products().stream().map(p -> new RoomEvent.Product(p.sku(), p.title(), p.imageUrl(), p.price(),
            p.productUrl())).toList()));
    return this;
  }

  private Behavior<Command> onClient(Sockets.Inbound inbound) {
    if (inbound instanceof Sockets.Closed) {
      if (room != null) room.tell(new CallRoom.Leave(pass.role(), self));
      return Behaviors.stopped();
    }
    Optional<RoomRequest> decoded = ClientFrames.read(inbound, rateLimit, RoomRequest.class, out);
    if (decoded.isEmpty()) return this;
    if (room == null) return error("not_in_room", "Wait for the room message before sending", null);
    ErrorMessage invalid = validate(decoded.get());
    if (invalid != null) {
      send(invalid);
      return this;
    }
    translate(decoded.get());
    return this;
  }

  private void translate(RoomRequest request) {
    String role = pass.role();
    if (request instanceof RoomRequest.Signal signal) {
      tellRoom(new CallRoom.Relay(role, self, signal.kind(), signal.sdp(), signal.candidate(), signal.sdpMid(),
          signal.sdpMLineIndex()));
    } else if (request instanceof RoomRequest.Device device) {
      tellRoom(new CallRoom.ReportDevice(role, self, device.connectionType(), device.platform()));
    } else if (request instanceof RoomRequest.Stats stats) {
      tellRoom(new CallRoom.ReportStats(role, self, stats.localCandidateType(), stats.remoteCandidateType(),
          stats.roundTripMillis()));
    } else if (request instanceof RoomRequest.ShowProduct product) {
      tellRoom(new CallRoom.ShowProduct(role, self, new CallRoom.Product(product.sku().strip(), product.title().strip(),
          blankToNull(product.imageUrl()), blankToNull(product.price()), blankToNull(product.productUrl()))));
    } else if (request instanceof RoomRequest.AddToCart add) {
      tellRoom(new CallRoom.AddToCart(role, self, add.sku().strip()));
    } else if (request instanceof RoomRequest.HangUp) {
      tellRoom(new CallRoom.HangUp(role, self));
    } else if (request instanceof RoomRequest.Feedback feedback) {
      encryptThen(feedback.comment(), comment -> new CallRoom.GiveFeedback(role, self, feedback.rating(), comment));
    } else if (request instanceof RoomRequest.WrapUp wrapUp) {
      encryptThen(wrapUp.note(), note -> new CallRoom.WrapUp(role, self, wrapUp.outcome(), note));
    }
  }

  /** Free text about the call is the shopper's personal data: encrypted before it is recorded. */
  private void encryptThen(String text, Function<EncryptedPersonalData, CallRoom.Command> command) {
    String subject = pass.shopperSubject();
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> vault.encrypt(subject, blankToNull(text)), blocking),
        (encrypted, failure) -> new Encrypted(failure == null ? command.apply(encrypted) : null, failure));
  }

  private void tellRoom(CallRoom.Command command) {
    if (room != null) room.tell(command);
  }

  /** Every field against its limit; the first problem is reported with its field. */
  static ErrorMessage validate(RoomRequest request) {
    if (request instanceof RoomRequest.Signal signal) {
      switch (String.valueOf(signal.kind())) {
        case "offer", "answer" -> {
          if (signal.sdp() == null || !signal.sdp().startsWith("v=0") || signal.sdp().length() > 12_000) {
            return invalidSignal("sdp", "must be a session description (v=0 ...) of at most 12,000 characters");
          }
        }
        case "candidate" -> {
          String candidate = signal.candidate();
          if (candidate != null && !candidate.isEmpty()
              && (!candidate.startsWith("candidate:") || candidate.length() > 1_000)) {
            return invalidSignal("candidate", "must be an ICE candidate line (candidate:...) of at most 1,000 characters");
          }
          if ((signal.sdpMid() != null && signal.sdpMid().length() > 64)
              || (signal.sdpMLineIndex() != null && (signal.sdpMLineIndex() < 0 || signal.sdpMLineIndex() > 64))) {
            return invalidSignal("sdpMid", "is out of range");
          }
        }
        default -> {
          return invalidSignal("kind", "must be offer, answer or candidate");
        }
      }
    } else if (request instanceof RoomRequest.Device device) {
      if (tooLong(device.connectionType(), 32) || tooLong(device.platform(), 64)) {
        return invalid("connectionType", "connectionType is at most 32 and platform at most 64 characters");
      }
    } else if (request instanceof RoomRequest.Stats stats) {
      if (!CANDIDATE_TYPES.contains(String.valueOf(stats.localCandidateType()))
          || !CANDIDATE_TYPES.contains(String.valueOf(stats.remoteCandidateType()))) {
        return invalid("localCandidateType", "candidate types are host, srflx, prflx or relay");
      }
      if (stats.roundTripMillis() != null && (stats.roundTripMillis() < 0 || stats.roundTripMillis() > 60_000)) {
        return invalid("roundTripMillis", "must be between 0 and 60000");
      }
    } else if (request instanceof RoomRequest.ShowProduct product) {
      if (blank(product.sku()) || product.sku().length() > 64) return invalid("sku", "sku is 1 to 64 characters");
      if (blank(product.title()) || product.title().length() > 200) return invalid("title", "title is 1 to 200 characters");
      if (tooLong(product.price(), 32)) return invalid("price", "price is at most 32 characters");
      if (!webUrlOrBlank(product.imageUrl())) return invalid("imageUrl", "imageUrl must be an http(s) URL");
      if (!webUrlOrBlank(product.productUrl())) return invalid("productUrl", "productUrl must be an http(s) URL");
    } else if (request instanceof RoomRequest.AddToCart add) {
      if (blank(add.sku()) || add.sku().length() > 64) return invalid("sku", "sku is 1 to 64 characters");
    } else if (request instanceof RoomRequest.Feedback feedback) {
      // The rule is the room's (it refuses a bad rating too); checked here first only to spare
      // the comment's encryption.
      if (!CallRoom.validRating(feedback.rating())) return invalid("rating", CallRoom.RATING_RULE);
      if (tooLong(feedback.comment(), 1_000)) return invalid("comment", "comment is at most 1,000 characters");
    } else if (request instanceof RoomRequest.WrapUp wrapUp) {
      if (!CallRoom.validOutcome(wrapUp.outcome())) return invalid("outcome", CallRoom.OUTCOME_RULE);
      if (tooLong(wrapUp.note(), 2_000)) return invalid("note", "note is at most 2,000 characters");
    }
    return null;
  }

  private static ErrorMessage invalidSignal(String field, String message) {
    return new ErrorMessage("invalid_signal", field + " " + message, field);
  }

  private static ErrorMessage invalid(String field, String message) {
    return new ErrorMessage("invalid_field", message, field);
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static boolean tooLong(String value, int max) {
    return value != null && value.length() > max;
  }

  private static boolean webUrlOrBlank(String url) {
    if (blank(url)) return true;
    try {
      URI uri = new URI(url);
      return url.length() <= 2048 && uri.getHost() != null
          && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()));
    } catch (Exception e) {
      return false;
    }
  }

  private static String blankToNull(String value) {
    return blank(value) ? null : value.strip();
  }

  private Behavior<Command> error(String code, String message, String field) {
    send(new ErrorMessage(code, message, field));
    return this;
  }

  private void send(RoomEvent event) {
    out.tell(new Sockets.Frame(ProtocolCodec.encode(RoomEvent.class, event)));
  }
}
