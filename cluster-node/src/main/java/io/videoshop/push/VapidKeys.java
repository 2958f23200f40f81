package io.videoshop.push;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The platform's VAPID key pair (RFC 8292): browsers subscribe with its public key as the
 * {@code applicationServerKey}, and every push carries a JWT signed with its private key, so a
 * push service accepts pushes to those subscriptions from this platform only. Made once, by the
 * first node that starts, and kept in {@code push_vapid_keys}: every node signs with the same key,
 * or subscriptions made through one node would be refused for another's pushes.
 */
public final class VapidKeys {
  /** How long a VAPID JWT is good for (RFC 8292 allows at most 24 hours). */
  static final Duration TOKEN_LIFETIME = Duration.ofHours(12);
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final ECPublicKey publicKey;
  private final ECPrivateKey privateKey;

  VapidKeys(ECPublicKey publicKey, ECPrivateKey privateKey) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  /**
   * The stored key pair, or a new one stored now. Two nodes starting at once both try the insert;
   * the primary key lets one win and the other reads the winner's row.
   */
  public static VapidKeys loadOrCreate(Jdbi jdbi, Clock clock) {
    Optional<VapidKeys> stored = load(jdbi);
    if (stored.isPresent()) return stored.get();
    KeyPair pair = PushEncryption.newKeyPair();
    try {
      jdbi.useHandle(handle -> handle.createUpdate("""
              INSERT INTO push_vapid_keys (id, public_key, private_key, created_at)
              VALUES (1, :publicKey, :privateKey, :at)""")
          .bind("publicKey", BASE64URL.encodeToString(PushEncryption.encode((ECPublicKey) pair.getPublic())))
          .bind("privateKey", BASE64URL.encodeToString(PushEncryption.encode((ECPrivateKey) pair.getPrivate())))
          .bind("at", Timestamp.from(clock.instant()))
          .execute());
    } catch (UnableToExecuteStatementException lostTheRace) {
      // Another node inserted row 1 first: its keys are the platform's (read below).
    }
    return load(jdbi).orElseThrow(() -> new IllegalStateException("push_vapid_keys has no row after the insert"));
  }

  private static Optional<VapidKeys> load(Jdbi jdbi) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT public_key, private_key FROM push_vapid_keys WHERE id = 1")
        .map((rs, ctx) -> new VapidKeys(
            PushEncryption.publicKey(Base64.getUrlDecoder().decode(rs.getString("public_key"))),
            PushEncryption.privateKey(Base64.getUrlDecoder().decode(rs.getString("private_key")))))
        .findOne());
  }

  /** The public key as browsers want it for {@code applicationServerKey}: the uncompressed point, base64url. */
  public String publicKeyBase64Url() {
    return BASE64URL.encodeToString(PushEncryption.encode(publicKey));
  }

  /**
   * The {@code Authorization} header for a push to this endpoint (RFC 8292 section 3): a JWT
   * whose audience is the push service's origin, signed ES256, with the key alongside.
   */
  String authorization(URI endpoint, String subject, Instant now) {
    String audience = endpoint.getScheme() + "://" + endpoint.getAuthority();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .audience(audience)
        .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
        .subject(subject)
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(new ECDSASigner(privateKey));
    } catch (JOSEException e) {
      throw new IllegalStateException("VAPID signing failed", e);
    }
    return "vapid t=" + jwt.serialize() + ", k=" + publicKeyBase64Url();
  }
}
