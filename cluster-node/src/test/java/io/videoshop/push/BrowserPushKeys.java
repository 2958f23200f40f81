package io.videoshop.push;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A browser's side of web push, for tests: its P-256 key pair and auth secret (what
 * {@code PushManager.subscribe} makes), and the decryption of an {@code aes128gcm} push body
 * (RFC 8291 section 3, RFC 8188) written independently of {@link PushEncryption}'s encryption
 * path: it reads salt, record size and sender key from the body's header.
 */
final class BrowserPushKeys {
  final ECPublicKey publicKey;
  final ECPrivateKey privateKey;
  final byte[] auth;

  BrowserPushKeys(ECPublicKey publicKey, ECPrivateKey privateKey, byte[] auth) {
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.auth = auth;
  }

  static BrowserPushKeys generate() {
    KeyPair pair = PushEncryption.newKeyPair();
    byte[] auth = new byte[16];
    new SecureRandom().nextBytes(auth);
    return new BrowserPushKeys((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate(), auth);
  }

  String p256dh() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(PushEncryption.encode(publicKey));
  }

  String authBase64Url() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(auth);
  }

  /** The plaintext of a push body, or an exception when it does not decrypt. */
  byte[] decrypt(byte[] body) throws Exception {
    ByteBuffer in = ByteBuffer.wrap(body);
    byte[] salt = new byte[16];
    in.get(salt);
    int recordSize = in.getInt();
    if (recordSize < 18) throw new IllegalArgumentException("record size " + recordSize);
    byte[] senderKey = new byte[in.get() & 0xff];
    in.get(senderKey);
    byte[] record = new byte[in.remaining()];
    in.get(record);
    if (record.length > recordSize) throw new IllegalArgumentException("more than one record");

    KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
    agreement.init(privateKey);
    agreement.doPhase(PushEncryption.publicKey(senderKey), true);
    byte[] prkKey = PushEncryption.hmac(auth, agreement.generateSecret());
    byte[] ikm = PushEncryption.hmac(prkKey, PushEncryption.concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII),
        PushEncryption.encode(publicKey), senderKey, new byte[] {1}));
    byte[] prk = PushEncryption.hmac(salt, ikm);
    byte[] cek = Arrays.copyOf(PushEncryption.hmac(prk, "Content-Encoding: aes128gcm\0\1".getBytes(StandardCharsets.US_ASCII)), 16);
    byte[] nonce = Arrays.copyOf(PushEncryption.hmac(prk, "Content-Encoding: nonce\0\1".getBytes(StandardCharsets.US_ASCII)), 12);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
    byte[] padded = cipher.doFinal(record);
    int end = padded.length - 1;
    while (end >= 0 && padded[end] == 0) end--;
    if (end < 0 || padded[end] != 2) throw new IllegalArgumentException("no last-record delimiter");
    return Arrays.copyOf(padded, end);
  }
}
