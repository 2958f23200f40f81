package io.videoshop.persistence.privacy;

import io.videoshop.config.PrivacySettings;
import io.videoshop.config.VideoShopSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption keys (KEKs) that wrap the subject keys of {@link PersonalDataVault}: the
 * current one (new keys are wrapped under it) and previous ones (still unwrap, until the
 * background re-wrap has moved every key to the current one). AES-256-GCM; the subject id and the
 * KEK id are bound as associated data, so a wrapped key cannot be moved to another subject.
 */
public final class MasterKeys {
  /** The id of the development key the demo profile uses when no master key is configured. */
  public static final String DEVELOPMENT_KEY_ID = "dev";
  private static final String CIPHER = "AES/GCM/NoPadding";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] CHECK = "videoshop master key check".getBytes(StandardCharsets.UTF_8);

  private final String currentId;
  private final Map<String, SecretKey> keys;
  private final boolean development;
  private final SecureRandom random = new SecureRandom();

  private MasterKeys(String currentId, Map<String, SecretKey> keys, boolean development) {
    this.currentId = currentId;
    this.keys = Collections.unmodifiableMap(keys);
    this.development = development;
  }

  /** Keys for tests and tools: the first is current. */
  public static MasterKeys of(PrivacySettings.MasterKey current, PrivacySettings.MasterKey... previous) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    keys.put(current.id(), new SecretKeySpec(current.bytes(), "AES"));
    for (PrivacySettings.MasterKey key : previous) keys.put(key.id(), new SecretKeySpec(key.bytes(), "AES"));
    return new MasterKeys(current.id(), keys, false);
  }

  /**
   * The node's keys from its settings. Without a master key the production profile refuses to
   * start; the demo profile uses a development key derived from a fixed text (anyone can derive
   * it: it protects nothing, {@link #isDevelopment()} says so and the node logs it loudly).
   *
   * @throws MasterKeyException for production without a master key
   */
  public static MasterKeys from(VideoShopSettings settings) {
    PrivacySettings privacy = settings.privacy();
    if (privacy.masterKey().isEmpty()) {
      if (settings.profile() != VideoShopSettings.Profile.DEMO) {
        throw new MasterKeyException("no master key: set VIDEOSHOP_MASTER_KEY (videoshop.privacy.master-key) to "
            + "id:base64 of 32 bytes, e.g. k1:$(openssl rand -base64 32), the same on every node; it wraps the "
            + "keys of all personal data (docs/privacy.md). Keep it outside the database and its backups.");
      }
      Map<String, SecretKey> keys = new LinkedHashMap<>();
      keys.put(DEVELOPMENT_KEY_ID, new SecretKeySpec(developmentKey(), "AES"));
      privacy.previousMasterKeys().forEach(key -> keys.put(key.id(), new SecretKeySpec(key.bytes(), "AES")));
      return new MasterKeys(DEVELOPMENT_KEY_ID, keys, true);
    }
    return of(privacy.masterKey().get(), privacy.previousMasterKeys().toArray(PrivacySettings.MasterKey[]::new));
  }

  private static byte[] developmentKey() {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest("VideoShop demo profile development master key; never for production".getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String currentId() {
    return currentId;
  }

  public Set<String> ids() {
    return keys.keySet();
  }

  /** True for the demo profile's derived key, which protects nothing. */
  public boolean isDevelopment() {
    return development;
  }

  byte[] wrap(String subjectId, byte[] subjectKey) {
    return seal(currentId, subjectKey, aad(subjectId, currentId));
  }

  /** @throws MasterKeyException when the KEK id is not configured or the key does not open it */
  byte[] unwrap(String kekId, String subjectId, byte[] wrapped) {
    try {
      return open(kekId, wrapped, aad(subjectId, kekId));
    } catch (GeneralSecurityException e) {
      throw new MasterKeyException("the key of subject " + subjectId + " does not unwrap under master key "
          + kekId + ": wrong master key for this database, or a tampered row");
    }
  }

  byte[] sealedCheck(String kekId) {
    return seal(kekId, CHECK, kekId.getBytes(StandardCharsets.UTF_8));
  }

  boolean opensCheck(String kekId, byte[] sealed) {
    try {
      return MessageDigest.isEqual(CHECK, open(kekId, sealed, kekId.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private byte[] seal(String kekId, byte[] plain, byte[] aad) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(kekId), new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad);
      byte[] sealed = cipher.doFinal(plain);
      byte[] out = new byte[IV_BYTES + sealed.length];
      System.arraycopy(iv, 0, out, 0, IV_BYTES);
      System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  private byte[] open(String kekId, byte[] sealed, byte[] aad) throws GeneralSecurityException {
    SecretKey key = keys.get(kekId);
    if (key == null) {
      throw new MasterKeyException("a subject key is wrapped under master key id " + kekId
          + ", which this node does not have: add it to VIDEOSHOP_PREVIOUS_MASTER_KEYS");
    }
    if (sealed.length < IV_BYTES + TAG_BITS / 8) throw new GeneralSecurityException("too short");
    Cipher cipher = Cipher.getInstance(CIPHER);
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
    cipher.updateAAD(aad);
    return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
  }

  private static byte[] aad(String subjectId, String kekId) {
    return (subjectId + "\n" + kekId).getBytes(StandardCharsets.UTF_8);
  }
}
