package io.videoshop.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing as the Standard Webhooks specification says (standardwebhooks.com): the signed content
 * is {@code webhook-id + "." + webhook-timestamp + "." + body}, signed with HMAC-SHA256 under the
 * base64-decoded part of a {@code whsec_} secret, sent as {@code webhook-signature: v1,<base64>};
 * several secrets (during a rotation) give several signatures separated by spaces.
 */
public final class WebhookSignature {
  public static final String SECRET_PREFIX = "whsec_";
  public static final int SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** A fresh secret: {@code whsec_} + base64 of 32 random bytes (the spec allows 24 to 64). */
  public static String newSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
  }

  /** The key bytes of a {@code whsec_} secret; refuses anything else. */
  static byte[] keyOf(String secret) {
    if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("a webhook secret starts with " + SECRET_PREFIX);
    }
    byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    if (key.length < 24 || key.length > 64) {
      throw new IllegalArgumentException("a webhook secret holds 24 to 64 bytes");
    }
    return key;
  }

  /** One {@code v1,<base64>} signature of the message under one secret. */
  public static String sign(String secret, String messageId, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keyOf(secret), "HmacSHA256"));
      byte[] signed = mac.doFinal((messageId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(signed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /** The {@code webhook-signature} header value: one signature per secret, space-separated. */
  public static String header(List<String> secrets, String messageId, long timestampSeconds, String body) {
    List<String> signatures = new ArrayList<>(secrets.size());
    for (String secret : secrets) signatures.add(sign(secret, messageId, timestampSeconds, body));
    return String.join(" ", signatures);
  }

  /** Whether any {@code v1} signature of the header matches (what a receiver does; used by tests and docs). */
  public static boolean verify(String secret, String messageId, long timestampSeconds, String body, String header) {
    byte[] expected = sign(secret, messageId, timestampSeconds, body).getBytes(StandardCharsets.UTF_8);
    for (String candidate : header.split(" ")) {
      if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.UTF_8))) return true;
    }
    return false;
  }
}
