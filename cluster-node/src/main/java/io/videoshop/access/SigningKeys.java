package io.videoshop.access;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.videoshop.config.AuthSettings;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node's token keys (nimbus-jose-jwt, HS256): the current key signs, previous keys still
 * verify (rotation), each found by its {@code kid}, a digest of the key. Access tokens and room
 * tokens both use them, told apart by their audience.
 */
public final class SigningKeys {
  private final Map<String, byte[]> verificationKeys = new LinkedHashMap<>();
  private final String signingKeyId;
  private final MACSigner signer;

  public SigningKeys(AuthSettings settings) {
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
  }

  public String sign(JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(signingKeyId).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return jwt.serialize();
  }

  /** The claims of a token one of our keys signed; empty for anything else. */
  public Optional<JWTClaimsSet> claims(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      byte[] key = verificationKeys.get(jwt.getHeader().getKeyID());
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || key == null
          || !jwt.verify(new MACVerifier(key))) {
        return Optional.empty();
      }
      return Optional.of(jwt.getJWTClaimsSet());
    } catch (ParseException | JOSEException | IllegalArgumentException e) {
      return Optional.empty();
    }
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
