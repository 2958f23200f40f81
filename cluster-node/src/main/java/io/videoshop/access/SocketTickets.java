package io.videoshop.access;

import io.videoshop.domain.Role;
import io.videoshop.domain.Caller;
import io.videoshop.domain.DomainError;
import io.videoshop.http.Json;
import io.videoshop.domain.RoomPass;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * One-time tickets that open a WebSocket: a browser cannot set headers on a socket, and a token in
 * the URL ends up in every proxy's access log. The client trades its access token (for the agent
 * console) or its room token (for a call room) for a ticket over HTTPS, in a header or a body, and
 * opens {@code /ws/agent?ticket=} or {@code /ws/room?ticket=} with it. A ticket is random, stored
 * as a digest, lives {@code socket-ticket-ttl} (30 s), opens one socket on any node, and is gone.
 */
public final class SocketTickets {
  static final String PREFIX = "wst_";
  private static final String AGENT = "agent";
  private static final String ROOM = "room";

  private final Jdbi jdbi;
  private final RoomTokens roomTokens;
  private final Duration ttl;
  private final Clock clock;

  public SocketTickets(Jdbi jdbi, RoomTokens roomTokens, Duration ttl, Clock clock) {
    this.jdbi = jdbi;
    this.roomTokens = roomTokens;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** What an agent-console ticket admits: the signed-in user, as its access token said. */
  public record ConsoleAdmission(String userId, String tenantId, String role, int tokenVersion, Instant expiresAt) {
    public AccessTokens.Verified verified() {
      return new AccessTokens.Verified(new Caller(Caller.Kind.USER, userId, tenantId, Role.fromWire(role),
          java.util.Set.of(), null, null), tokenVersion, expiresAt);
    }
  }

  /** What a room ticket admits: the room token's pass (stored field by field: the pass is a wire type). */
  record RoomAdmission(String roomId, String role, String participantId, String tenantId, String ticketId,
      String agentId, String shopperSubject, int agentTokenVersion) {
    static RoomAdmission of(RoomTokens.Admission admission) {
      RoomPass pass = admission.pass();
      return new RoomAdmission(pass.roomId(), pass.role(), pass.participantId(), pass.tenantId(), pass.ticketId(),
          pass.agentId(), pass.shopperSubject(), admission.agentTokenVersion());
    }

    RoomTokens.Admission admission() {
      return new RoomTokens.Admission(new RoomPass(roomId, role, participantId, tenantId, ticketId, agentId,
          shopperSubject), agentTokenVersion);
    }
  }

  public record Ticket(String ticket, long expiresIn) {}

  public record RoomTicketRequest(String roomToken) {}

  /** A ticket for the caller's agent console, which closes when the caller's access token expires. */
  public Ticket forConsole(AccessTokens.Verified verified) {
    Caller caller = verified.caller();
    return issue(AGENT, Json.write(new ConsoleAdmission(caller.id(), caller.tenantId(), caller.role().wireName(),
        verified.tokenVersion(), verified.expiresAt())));
  }

  /** A ticket for the call room a valid room token admits to. */
  public Ticket forRoom(RoomTicketRequest request) {
    if (request.roomToken() == null || request.roomToken().isBlank()) {
      throw DomainError.invalid("roomToken", "required", "is required");
    }
    RoomTokens.Admission admission = roomTokens.admit(request.roomToken());
    return issue(ROOM, Json.write(RoomAdmission.of(admission)));
  }

  /** The console a ticket admits to, once; empty for an unknown, used, expired or room ticket. */
  public Optional<ConsoleAdmission> useForConsole(String ticket) {
    return use(ticket, AGENT).map(admits -> Json.read(admits, ConsoleAdmission.class));
  }

  /** The room a ticket admits to, once; empty for an unknown, used, expired or console ticket. */
  public Optional<RoomTokens.Admission> useForRoom(String ticket) {
    return use(ticket, ROOM).map(admits -> Json.read(admits, RoomAdmission.class).admission());
  }

  private Ticket issue(String kind, String admits) {
    String ticket = Secrets.newSecret(PREFIX);
    Instant now = clock.instant();
    jdbi.useTransaction(handle -> {
      handle.createUpdate("DELETE FROM socket_tickets WHERE expires_at < :now").bind("now", now).execute();
      handle.createUpdate("""
              INSERT INTO socket_tickets (ticket_hash, kind, admits, expires_at) VALUES (:hash, :kind, :admits, :expires)""")
          .bind("hash", Secrets.sha256(ticket)).bind("kind", kind).bind("admits", admits)
          .bind("expires", now.plus(ttl)).execute();
    });
    return new Ticket(ticket, ttl.toSeconds());
  }

  private Optional<String> use(String ticket, String kind) {
    if (ticket == null || !ticket.startsWith(PREFIX)) return Optional.empty();
    Instant now = clock.instant();
    return jdbi.inTransaction(handle -> {
      String hash = Secrets.sha256(ticket);
      Optional<String[]> row = handle.createQuery(
              "SELECT kind, admits, expires_at FROM socket_tickets WHERE ticket_hash = :hash FOR UPDATE")
          .bind("hash", hash)
          .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2),
              rs.getTimestamp(3).toInstant().isAfter(now) ? "valid" : "expired"})
          .findOne();
      if (row.isEmpty()) return Optional.empty();
      handle.createUpdate("DELETE FROM socket_tickets WHERE ticket_hash = :hash").bind("hash", hash).execute();
      return kind.equals(row.get()[0]) && "valid".equals(row.get()[2]) ? Optional.of(row.get()[1]) : Optional.empty();
    });
  }

  public static DomainError refused() {
    return DomainError.unauthorized("invalid_ticket", "The socket ticket is not valid, was used or has expired; get a new one");
  }

  /** A token in a socket's URL is refused: it would be written to access logs. */
  public static DomainError tokenInUrl(String route) {
    return DomainError.unauthorized("token_in_url",
        "Tokens do not go in socket URLs (access logs keep them): get a one-time ticket from " + route);
  }
}
