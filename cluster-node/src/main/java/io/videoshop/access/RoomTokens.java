package io.videoshop.access;

import com.nimbusds.jwt.JWTClaimsSet;
import io.videoshop.domain.RoomPass;
import io.videoshop.domain.DomainError;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Room tokens: signed with the node's token keys for the audience {@code room} (an access token
 * cannot pass for one, nor the other way round), short-lived, bound to room, role and participant.
 */
public final class RoomTokens {
  static final String AUDIENCE = "room";

  private final SigningKeys keys;
  private final Duration ttl;
  private final Clock clock;

  public RoomTokens(SigningKeys keys, Duration ttl, Clock clock) {
    this.keys = keys;
    this.ttl = ttl;
    this.clock = clock;
  }

  public String issue(RoomPass pass) {
    return issue(pass, 0);
  }

  /** {@code agentTokenVersion}: for an agent's pass, the agent's token version; its raise ends the pass. */
  public String issue(RoomPass pass, int agentTokenVersion) {
    Instant now = clock.instant();
    return keys.sign(new JWTClaimsSet.Builder()
        .issuer("videoshop")
        .audience(AUDIENCE)
        .subject(pass.participantId())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .claim("room", pass.roomId())
        .claim("role", pass.role())
        .claim("tid", pass.tenantId())
        .claim("ticket", pass.ticketId())
        .claim("agent", pass.agentId())
        .claim("subject", pass.shopperSubject())
        .claim("ver", agentTokenVersion)
        .build());
  }

  /** A valid room token's pass and the agent's token version it was issued with. */
  public record Admission(RoomPass pass, int agentTokenVersion) {}

  /** The pass a valid, unexpired room token carries; 401 otherwise. */
  public RoomPass verify(String token) {
    return admit(token).pass();
  }

  /** As {@link #verify}, with the token version an agent's pass must be checked against. */
  public Admission admit(String token) {
    JWTClaimsSet claims = keys.claims(token)
        .orElseThrow(() -> DomainError.unauthorized("invalid_token", "The token is not valid"));
    if (!claims.getAudience().contains(AUDIENCE)) throw DomainError.unauthorized("invalid_token", "Not a room token");
    if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(clock.instant())) {
      throw DomainError.unauthorized("token_expired", "The room token has expired");
    }
    try {
      RoomPass pass = new RoomPass(claims.getStringClaim("room"), claims.getStringClaim("role"), claims.getSubject(),
          claims.getStringClaim("tid"), claims.getStringClaim("ticket"), claims.getStringClaim("agent"),
          claims.getStringClaim("subject"));
      if (pass.roomId() == null || (!pass.isAgent() && !RoomPass.SHOPPER.equals(pass.role()))) {
        throw DomainError.unauthorized("invalid_token", "Not a room token");
      }
      Long version = claims.getLongClaim("ver");
      return new Admission(pass, version == null ? 0 : version.intValue());
    } catch (ParseException e) {
      throw DomainError.unauthorized("invalid_token", "Not a room token");
    }
  }
}
