package io.videoshop.push;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message encryption for web push (RFC 8291 on RFC 8188's {@code aes128gcm}): a fresh P-256 key
 * pair and salt per message, ECDH with the browser's key, HKDF with the browser's auth secret,
 * one AES-128-GCM record. Only the browser that subscribed can read a push; the push service
 * carries ciphertext. Also the P-256 encodings the Push API uses (uncompressed points, raw
 * private scalars).
 */
public final class PushEncryption {
  /** One record holds the whole message (RFC 8188 record size, the value browsers expect). */
  static final int RECORD_SIZE = 4096;
  /** Largest plaintext one record carries: the record less the delimiter and the GCM tag. */
  public static final int MAX_PLAINTEXT = RECORD_SIZE - 16 - 1 - 86;
  private static final ECParameterSpec P256 = p256();
  private static final SecureRandom RANDOM = new SecureRandom();

  private PushEncryption() {}

  /** Encrypts a push message for a browser with its {@code p256dh} key (65-byte point) and {@code auth} secret. */
  public static byte[] encrypt(byte[] plaintext, byte[] browserPublicKey, byte[] authSecret) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return encrypt(plaintext, browserPublicKey, authSecret, newKeyPair(), salt);
  }

  /** The same with the sender's key pair and salt given (RFC 8291 Appendix A fixes both). */
  static byte[] encrypt(byte[] plaintext, byte[] browserPublicKey, byte[] authSecret, KeyPair sender, byte[] salt) {
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new IllegalArgumentException("a push message holds at most " + MAX_PLAINTEXT + " bytes, was "
          + plaintext.length);
    }
    try {
      byte[] senderPublic = encode((ECPublicKey) sender.getPublic());
      KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
      agreement.init(sender.getPrivate());
      agreement.doPhase(publicKey(browserPublicKey), true);
      byte[] sharedSecret = agreement.generateSecret();

      byte[] prkKey = hmac(authSecret, sharedSecret);
      byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), browserPublicKey, senderPublic,
          new byte[] {1});
      byte[] ikm = hmac(prkKey, keyInfo);
      byte[] prk = hmac(salt, ikm);
      byte[] contentKey = Arrays.copyOf(hmac(prk, concat("Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII),
          new byte[] {1})), 16);
      byte[] nonce = Arrays.copyOf(hmac(prk, concat("Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII),
          new byte[] {1})), 12);

      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(contentKey, "AES"), new GCMParameterSpec(128, nonce));
      // The last (only) record ends with the delimiter 0x02 and no padding.
      byte[] record = cipher.doFinal(concat(plaintext, new byte[] {2}));

      ByteBuffer body = ByteBuffer.allocate(16 + 4 + 1 + senderPublic.length + record.length);
      body.put(salt).putInt(RECORD_SIZE).put((byte) senderPublic.length).put(senderPublic).put(record);
      return body.array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("web push encryption failed", e);
    }
  }

  /** A new P-256 key pair (a message's sender key, or the platform's VAPID key). */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is not available in this JVM", e);
    }
  }

  /** The uncompressed point (0x04 || x || y, 65 bytes) of a P-256 public key. */
  public static byte[] encode(ECPublicKey key) {
    byte[] out = new byte[65];
    out[0] = 4;
    copyUnsigned(key.getW().getAffineX(), out, 1);
    copyUnsigned(key.getW().getAffineY(), out, 33);
    return out;
  }

  /** The 32-byte private scalar of a P-256 private key. */
  public static byte[] encode(ECPrivateKey key) {
    byte[] out = new byte[32];
    copyUnsigned(key.getS(), out, 0);
    return out;
  }

  /**
   * A P-256 public key from its uncompressed point.
   *
   * @throws IllegalArgumentException when the bytes are not a point on the curve
   */
  public static ECPublicKey publicKey(byte[] uncompressed) {
    if (uncompressed.length != 65 || uncompressed[0] != 4) {
      throw new IllegalArgumentException("not an uncompressed P-256 point (65 bytes starting with 0x04)");
    }
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65));
    BigInteger p = ((ECFieldFp) P256.getCurve().getField()).getP();
    boolean onCurve = x.compareTo(p) < 0 && y.compareTo(p) < 0 && y.modPow(BigInteger.TWO, p).equals(
        x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p));
    if (!onCurve) throw new IllegalArgumentException("not a point on P-256");
    try {
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a P-256 public key", e);
    }
  }

  /** A P-256 private key from its 32-byte scalar. */
  public static ECPrivateKey privateKey(byte[] scalar) {
    try {
      return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(
          new ECPrivateKeySpec(new BigInteger(1, scalar), P256));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a P-256 private key", e);
    }
  }

  static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) length += part.length;
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  private static void copyUnsigned(BigInteger value, byte[] out, int offset) {
    byte[] bytes = value.toByteArray();
    int start = Math.max(0, bytes.length - 32);
    int length = bytes.length - start;
    System.arraycopy(bytes, start, out, offset + 32 - length, length);
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is not available in this JVM", e);
    }
  }
}
