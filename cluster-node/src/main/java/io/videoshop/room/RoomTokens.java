package io.videoshop.room;

import com.nimbusds.jwt.JWTClaimsSet;
import io.videoshop.access.SigningKeys;
import io.videoshop.http.ApiError;
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
        .build());
  }

  /** The pass a valid, unexpired room token carries; 401 otherwise. */
  public RoomPass verify(String token) {
    JWTClaimsSet claims = keys.verify(token);
    if (!claims.getAudience().contains(AUDIENCE)) throw ApiError.unauthorized("invalid_token", "Not a room token");
    if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(clock.instant())) {
      throw ApiError.unauthorized("token_expired", "The room token has expired");
    }
    try {
      RoomPass pass = new RoomPass(claims.getStringClaim("room"), claims.getStringClaim("role"), claims.getSubject(),
          claims.getStringClaim("tid"), claims.getStringClaim("ticket"), claims.getStringClaim("agent"),
          claims.getStringClaim("subject"));
      if (pass.roomId() == null || (!pass.isAgent() && !RoomPass.SHOPPER.equals(pass.role()))) {
        throw ApiError.unauthorized("invalid_token", "Not a room token");
      }
      return pass;
    } catch (ParseException e) {
      throw ApiError.unauthorized("invalid_token", "Not a room token");
    }
  }
}
