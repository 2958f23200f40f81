package io.videoshop.access;

import io.videoshop.domain.Role;
import io.videoshop.domain.Caller;
import io.videoshop.domain.DomainError;
import com.nimbusds.jwt.JWTClaimsSet;
import io.videoshop.config.AuthSettings;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.UUID;

/**
 * Short-lived signed access tokens (JWT) that say who the user is, its tenant and its role,
 * checked in memory on every request.
 */
public final class AccessTokens {
  static final String ISSUER = "videoshop";
  static final String AUDIENCE = "api";

  private final SigningKeys keys;
  private final Duration ttl;
  private final Clock clock;

  public AccessTokens(SigningKeys keys, AuthSettings settings, Clock clock) {
    this.keys = keys;
    this.ttl = settings.accessTokenTtl();
    this.clock = clock;
  }

  public record Issued(String token, Instant expiresAt) {}

  /** A valid token's caller, the user's token version it carries, and when it expires. */
  public record Verified(Caller caller, int tokenVersion, Instant expiresAt) {}

  public Issued issue(String userId, String tenantId, Role role) {
    return issue(userId, tenantId, role, 0);
  }

  /** {@code tokenVersion}: the user's token version now ({@link UserSessions}); a raise ends the token. */
  public Issued issue(String userId, String tenantId, Role role, int tokenVersion) {
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(userId)
        .jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(expires))
        .claim("tid", tenantId)
        .claim("role", role.wireName())
        .claim("ver", tokenVersion)
        .build();
    return new Issued(keys.sign(claims), expires);
  }

  /** The caller a valid token names; 401 {@code invalid_token} or {@code token_expired} for anything else. */
  public Caller verify(String token, String ip, String userAgent) {
    return verified(token, ip, userAgent).caller();
  }

  /**
   * As {@link #verify}, with the token version to check against {@link UserSessions#check} (every
   * use of an access token must) and the expiry.
   */
  public Verified verified(String token, String ip, String userAgent) {
    JWTClaimsSet claims = keys.claims(token).orElseThrow(AccessTokens::invalid);
    if (!ISSUER.equals(claims.getIssuer()) || !claims.getAudience().contains(AUDIENCE)) throw invalid();
    if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(clock.instant())) {
      throw DomainError.unauthorized("token_expired", "The access token has expired; refresh it");
    }
    try {
      Long version = claims.getLongClaim("ver");
      return new Verified(new Caller(Caller.Kind.USER, claims.getSubject(), claims.getStringClaim("tid"),
          Role.fromWire(claims.getStringClaim("role")), Set.of(), ip, userAgent),
          version == null ? 0 : version.intValue(), claims.getExpirationTime().toInstant());
    } catch (ParseException | IllegalArgumentException e) {
      throw invalid();
    }
  }

  private static DomainError invalid() {
    return DomainError.unauthorized("invalid_token", "The token is not valid");
  }
}
