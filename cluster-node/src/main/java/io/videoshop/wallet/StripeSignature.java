package io.videoshop.wallet;

import io.videoshop.domain.DomainError;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stripe's webhook signature: {@code Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]},
 * each {@code v1} an HMAC-SHA256 with the endpoint's secret over {@code "<t>.<exact raw body>"}.
 * Several {@code v1} appear while Stripe rolls a secret; one matching is enough. A timestamp
 * further from now than the tolerance is refused, so a captured delivery cannot be replayed later.
 */
public final class StripeSignature {
  private StripeSignature() {}

  /** Throws a 400 problem ({@code missing_signature}, {@code invalid_signature}, {@code stale_signature}). */
  public static void verify(String header, String payload, String secret, Instant now, Duration tolerance) {
    if (header == null || header.isBlank()) {
      throw DomainError.badRequest("missing_signature", "The Stripe-Signature header is missing");
    }
    Long timestamp = null;
    List<String> signatures = new ArrayList<>();
    for (String part : header.split(",")) {
      int equals = part.indexOf('=');
      if (equals < 0) continue;
      String key = part.substring(0, equals).trim();
      String value = part.substring(equals + 1).trim();
      if (key.equals("t")) {
        try {
          timestamp = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw invalid();
        }
      } else if (key.equals("v1")) {
        signatures.add(value);
      }
    }
    if (timestamp == null || signatures.isEmpty()) throw invalid();
    byte[] expected = hmac(secret, timestamp + "." + payload);
    boolean matches = false;
    for (String signature : signatures) {
      byte[] given;
      try {
        given = HexFormat.of().parseHex(signature);
      } catch (IllegalArgumentException e) {
        continue;
      }
      // Constant time: how much of a guess matched must not show in the answer's timing.
      matches |= MessageDigest.isEqual(expected, given);
    }
    if (!matches) throw invalid();
    // Checked after the signature, so the timestamp is known to be Stripe's.
    if (Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds()) {
      throw DomainError.badRequest("stale_signature", "The signature's timestamp is more than "
          + tolerance.toSeconds() + " seconds from now: a delivery is accepted only while fresh");
    }
  }

  /** The header Stripe would send for this payload at this time (tests, and trying the webhook by hand). */
  public static String header(String payload, String secret, long unixSeconds) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(hmac(secret, unixSeconds + "." + payload));
  }

  private static DomainError invalid() {
    return DomainError.badRequest("invalid_signature", "The Stripe-Signature does not match the payload");
  }

  private static byte[] hmac(String secret, String signed) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }
}
