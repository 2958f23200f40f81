package io.videoshop.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.videoshop.config.AuthSettings;
import io.videoshop.http.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Short-lived signed access tokens (JWT, HS256 via nimbus-jose-jwt) that say who the user is,
 * its tenant and its role. The current key signs; previous keys still verify (rotation), each
 * found by its {@code kid}, a digest of the key.
 */
public final class AccessTokens {
  static final String ISSUER = "videoshop";

  private final Map<String, byte[]> verificationKeys = new LinkedHashMap<>();
  private final String signingKeyId;
  private final MACSigner signer;
  private final Duration ttl;
  private final Clock clock;

  public AccessTokens(AuthSettings settings, Clock clock) {
    byte[] signingKey = settings.jwtSecret().isEmpty() ? randomKey() : settings.jwtSecret().getBytes(StandardCharsets.UTF_8);
    this.signingKeyId = keyId(signingKey);
    verificationKeys.put(signingKeyId, signingKey);
    for (String previous : settings.jwtPreviousSecrets()) {
      byte[] key = previous.getBytes(StandardCharsets.UTF_8);
      verificationKeys.putIfAbsent(keyId(key), key);
    }
    try {
      this.signer = new MACSigner(signingKey);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign with the configured key", e);
    }
    this.ttl = settings.accessTokenTtl();
    this.clock = clock;
  }

  public record Issued(String token, Instant expiresAt) {}

  public Issued issue(String userId, String tenantId, Role role) {
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject(userId)
        .jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(expires))
        .claim("tid", tenantId)
        .claim("role", role.wireName())
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(signingKeyId).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign an access token", e);
    }
    return new Issued(jwt.serialize(), expires);
  }

  /** The caller a valid token names; 401 {@code invalid_token} for anything else. */
  public Caller verify(String token, String ip, String userAgent) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) throw invalid();
      byte[] key = verificationKeys.get(jwt.getHeader().getKeyID());
      if (key == null || !jwt.verify(new MACVerifier(key))) throw invalid();
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!ISSUER.equals(claims.getIssuer())) throw invalid();
      if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(clock.instant())) {
        throw ApiError.unauthorized("token_expired", "The access token has expired; refresh it");
      }
      return new Caller(Caller.Kind.USER, claims.getSubject(), claims.getStringClaim("tid"),
          Role.fromWire(claims.getStringClaim("role")), Set.of(), ip, userAgent);
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      throw invalid();
    }
  }

  private static ApiError invalid() {
    return ApiError.unauthorized("invalid_token", "The access token is not valid");
  }

  private static String keyId(byte[] key) {
    return Secrets.sha256(Base64.getEncoder().encodeToString(key)).substring(0, 12);
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
