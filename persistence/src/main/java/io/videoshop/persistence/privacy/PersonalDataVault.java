package io.videoshop.persistence.privacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * Crypto-shredding for personal data kept in the event journal: each data subject has its own
 * AES-256 key in {@code personal_data_keys}; personal fields are stored encrypted under it
 * (AES-GCM, the subject id bound as associated data so a value cannot be moved to another
 * subject). Erasing a subject deletes its key, which makes every copy of its data in the journal
 * and in snapshots unreadable without rewriting them.
 *
 * <p>The subject keys are stored wrapped under a master key from configuration ({@link MasterKeys}):
 * a dump of the database alone decrypts nothing. {@link #checkMasterKeys()} refuses a wrong master
 * key at start; {@link #rewrapBatch(int)} moves keys to the current master key after a rotation.
 *
 * <p>Every method does JDBC: call it from a blocking dispatcher, never inside an actor.
 */
public final class PersonalDataVault {
  private static final String CIPHER = "AES/GCM/NoPadding";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final DataSource dataSource;
  private final MasterKeys masterKeys;
  private final SecureRandom random = new SecureRandom();

  public PersonalDataVault(DataSource dataSource, MasterKeys masterKeys) {
    this.dataSource = dataSource;
    this.masterKeys = masterKeys;
  }

  public MasterKeys masterKeys() {
    return masterKeys;
  }

  /**
   * Checks at start that this node's master keys are the database's: a known key id whose key
   * differs, or subject keys wrapped under an id this node lacks, refuse the start. A new key id is
   * recorded (its check value) so the next node with a different key under that id is refused.
   *
   * @throws MasterKeyException naming the key id, never the key
   */
  public void checkMasterKeys() {
    try (Connection connection = dataSource.getConnection()) {
      for (String id : masterKeys.ids()) {
        byte[] sealed = null;
        try (PreparedStatement select = connection.prepareStatement(
            "SELECT sealed_check FROM master_key_checks WHERE kek_id = ?")) {
          select.setString(1, id);
          try (ResultSet rows = select.executeQuery()) {
            if (rows.next()) sealed = rows.getBytes(1);
          }
        }
        if (sealed == null) {
          try (PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO master_key_checks (kek_id, sealed_check, created_at) VALUES (?, ?, ?)")) {
            insert.setString(1, id);
            insert.setBytes(2, masterKeys.sealedCheck(id));
            insert.setTimestamp(3, Timestamp.from(Instant.now()));
            insert.executeUpdate();
          } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) throw e; // another node recorded it first: checked next start
          }
        } else if (!masterKeys.opensCheck(id, sealed)) {
          throw new MasterKeyException("wrong master key: the key configured with id " + id
              + " is not the one this database's personal data keys were wrapped with (VIDEOSHOP_MASTER_KEY / "
              + "VIDEOSHOP_PREVIOUS_MASTER_KEYS must hold the same keys on every node)");
        }
      }
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT DISTINCT kek_id FROM personal_data_keys WHERE kek_id IS NOT NULL AND key_bytes IS NOT NULL");
          ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          if (!masterKeys.ids().contains(rows.getString(1))) {
            throw new MasterKeyException("missing master key: personal data keys are wrapped under master key id "
                + rows.getString(1) + ", which this node is not configured with (add it to "
                + "VIDEOSHOP_PREVIOUS_MASTER_KEYS while a rotation runs)");
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check the master keys", e);
    }
  }

  /**
   * Re-wraps up to {@code limit} subject keys that are not under the current master key (after a
   * rotation, or stored before wrapping existed). Safe on several nodes at once: every node wraps
   * the same subject key; an erased key is never brought back.
   *
   * @return how many keys it re-wrapped (0: none left)
   */
  public int rewrapBatch(int limit) {
    String current = masterKeys.currentId();
    List<String[]> found = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT subject_id, key_bytes, kek_id FROM personal_data_keys WHERE key_bytes IS NOT NULL "
              + "AND (kek_id IS NULL OR kek_id <> ?) ORDER BY subject_id")) {
        select.setString(1, current);
        select.setMaxRows(limit);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            found.add(new String[] {rows.getString(1), rows.getString(3)});
            keys.add(rows.getBytes(2));
          }
        }
      }
      int done = 0;
      for (int i = 0; i < found.size(); i++) {
        String subjectId = found.get(i)[0];
        String kekId = found.get(i)[1];
        byte[] plain = kekId == null ? keys.get(i) : masterKeys.unwrap(kekId, subjectId, keys.get(i));
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE personal_data_keys SET key_bytes = ?, kek_id = ? WHERE subject_id = ? AND key_bytes IS NOT NULL "
                + (kekId == null ? "AND kek_id IS NULL" : "AND kek_id = ?"))) {
          update.setBytes(1, masterKeys.wrap(subjectId, plain));
          update.setString(2, current);
          update.setString(3, subjectId);
          if (kekId != null) update.setString(4, kekId);
          done += update.executeUpdate();
        }
      }
      return done;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot re-wrap subject keys", e);
    }
  }

  /** How many live subject keys each master key id wraps ("none" for keys stored unwrapped). */
  public java.util.Map<String, Long> keysPerMasterKey() {
    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(
            "SELECT kek_id, COUNT(*) FROM personal_data_keys WHERE key_bytes IS NOT NULL GROUP BY kek_id");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) counts.put(rows.getString(1) == null ? "none" : rows.getString(1), rows.getLong(2));
      return counts;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count subject keys", e);
    }
  }

  /**
   * Encrypts a value under the subject's key, creating the key on first use.
   *
   * @return null for a null value (absent optional fields stay absent)
   * @throws SubjectErasedException when the subject has been erased
   */
  public EncryptedPersonalData encrypt(String subjectId, String value) {
    if (value == null) return null;
    return seal(subjectId, keyOf(subjectId).orElseGet(() -> createKey(subjectId)), value);
  }

  /**
   * Encrypts the values of a subject just made up (a new shopper): its key is stored with one
   * round trip and used for all of them. Null values stay null. A subject that turns out to exist
   * already is served as {@link #encrypt} would.
   */
  public List<EncryptedPersonalData> encryptNew(String subjectId, List<String> values) {
    return sealAll(subjectId, createKey(subjectId), values);
  }

  /**
   * As {@link #encryptNew}, with the key stored on the caller's connection, inside the caller's
   * transaction (a join stores its consent record in the same one). Only for a subject id just
   * made up at random: one that exists already fails the insert (and so the transaction).
   */
  public List<EncryptedPersonalData> encryptNew(Connection connection, String subjectId, List<String> values)
      throws SQLException {
    SecretKey key = newKey();
    storeKey(connection, subjectId, key);
    return sealAll(subjectId, key, values);
  }

  private List<EncryptedPersonalData> sealAll(String subjectId, SecretKey key, List<String> values) {
    List<EncryptedPersonalData> sealed = new ArrayList<>(values.size());
    for (String value : values) sealed.add(value == null ? null : seal(subjectId, key, value));
    return sealed;
  }

  private EncryptedPersonalData seal(String subjectId, SecretKey key, String value) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(subjectId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[IV_BYTES + sealed.length];
      System.arraycopy(iv, 0, out, 0, IV_BYTES);
      System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
      return new EncryptedPersonalData(subjectId, Base64.getEncoder().encodeToString(out));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }


  /**
   * Decrypts a stored value. After erasure (or for a key that never existed) it gives
   * {@link DecryptedPersonalData#ERASED}, never an exception.
   *
   * @return null for null
   */
  public DecryptedPersonalData decrypt(EncryptedPersonalData encrypted) {
    if (encrypted == null) return null;
    return open(encrypted, keyOf(encrypted.subjectId()));
  }

  /**
   * Decrypts several values of one subject with one key look-up (a webhook message's body and its
   * endpoint's secrets). Nulls stay null; after erasure every value is {@link DecryptedPersonalData#ERASED}.
   */
  public List<DecryptedPersonalData> decrypt(String subjectId, List<String> ciphertexts) {
    Optional<SecretKey> key = keyOf(subjectId);
    List<DecryptedPersonalData> opened = new ArrayList<>(ciphertexts.size());
    for (String ciphertext : ciphertexts) {
      opened.add(ciphertext == null ? null : open(new EncryptedPersonalData(subjectId, ciphertext), key));
    }
    return opened;
  }

  private static DecryptedPersonalData open(EncryptedPersonalData encrypted, Optional<SecretKey> key) {
    if (key.isEmpty()) return DecryptedPersonalData.ERASED;
    try {
      byte[] in = Base64.getDecoder().decode(encrypted.ciphertext());
      Cipher cipher = Cipher.getInstance(CIPHER);
      cipher.init(Cipher.DECRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
      cipher.updateAAD(encrypted.subjectId().getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES);
      return DecryptedPersonalData.of(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "personal data of subject " + encrypted.subjectId() + " does not decrypt: tampered or corrupt", e);
    }
  }

  /**
   * Erases a subject: its key is deleted and the erasure time kept.
   *
   * @return true when the subject had a key (false: unknown or already erased)
   */
  public boolean erase(String subjectId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update = connection.prepareStatement(
            "UPDATE personal_data_keys SET key_bytes = NULL, erased_at = ? "
                + "WHERE subject_id = ? AND key_bytes IS NOT NULL")) {
      update.setTimestamp(1, Timestamp.from(Instant.now()));
      update.setString(2, subjectId);
      return update.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot erase subject " + subjectId, e);
    }
  }

  /**
   * Forgets a subject made up for something that did not happen (a join the queue refused), so
   * it leaves no key row behind. Only for a subject nothing was stored under: its key is gone.
   */
  public void discardUnused(String subjectId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(
            "DELETE FROM personal_data_keys WHERE subject_id = ? AND erased_at IS NULL")) {
      delete.setString(1, subjectId);
      delete.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot discard subject " + subjectId, e);
    }
  }

  /** When the subject was erased, if it was. */
  public Optional<Instant> erasedAt(String subjectId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(
            "SELECT erased_at FROM personal_data_keys WHERE subject_id = ?")) {
      select.setString(1, subjectId);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next() || rows.getTimestamp(1) == null) return Optional.empty();
        return Optional.of(rows.getTimestamp(1).toInstant());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read subject " + subjectId, e);
    }
  }

  private Optional<SecretKey> keyOf(String subjectId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(
            "SELECT key_bytes, kek_id FROM personal_data_keys WHERE subject_id = ?")) {
      select.setString(1, subjectId);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) return Optional.empty();
        byte[] key = rows.getBytes(1);
        if (key == null) return Optional.empty();
        String kekId = rows.getString(2);
        // NULL: stored before keys were wrapped; the background re-wrap wraps it.
        byte[] plain = kekId == null ? key : masterKeys.unwrap(kekId, subjectId, key);
        return Optional.of(new SecretKeySpec(plain, "AES"));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the key of subject " + subjectId, e);
    }
  }

  /**
   * One round trip for a new subject (a join encrypts under a fresh subject every time): an erased
   * subject keeps its row, so the insert conflicts and the look-up after it finds no key.
   */
  private SecretKey createKey(String subjectId) {
    SecretKey key = newKey();
    try (Connection connection = dataSource.getConnection()) {
      storeKey(connection, subjectId, key);
      return key;
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) {
        // Another node created it first (use theirs), or the subject was erased (no key: refused).
        return keyOf(subjectId).orElseThrow(() -> new SubjectErasedException(subjectId));
      }
      throw new IllegalStateException("cannot store a key for subject " + subjectId, e);
    }
  }

  private void storeKey(Connection connection, String subjectId, SecretKey key) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO personal_data_keys (subject_id, key_bytes, kek_id, created_at) VALUES (?, ?, ?, ?)")) {
      insert.setString(1, subjectId);
      insert.setBytes(2, masterKeys.wrap(subjectId, key.getEncoded()));
      insert.setString(3, masterKeys.currentId());
      insert.setTimestamp(4, Timestamp.from(Instant.now()));
      insert.executeUpdate();
    }
  }

  private static SecretKey newKey() {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256);
      return generator.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES is not available in this JVM", e);
    }
  }
}
