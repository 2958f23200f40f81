package io.videoshop.persistence.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.config.PrivacySettings;
import io.videoshop.persistence.DatabasePool;
import io.videoshop.persistence.SchemaMigrations;
import io.videoshop.persistence.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Subject keys wrapped under the master key: a dump alone decrypts nothing; rotation; wrong keys refused. */
class WrappedKeysTest {

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void aDatabaseDumpAloneDecryptsNothing(TestDatabase.Kind kind) throws Exception {
    try (TestDatabase database = TestDatabase.create(kind);
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      SchemaMigrations.migrate(dataSource, database.settings().kind());
      PersonalDataVault vault = new PersonalDataVault(dataSource, TestMasterKeys.fresh());
      vault.checkMasterKeys();
      EncryptedPersonalData email = vault.encrypt("shopper-dump", "dump@example.com");
      assertThat(vault.decrypt(email).value()).isEqualTo("dump@example.com");

      // Everything a dump holds: every column of both key tables. None of it opens the value.
      List<byte[]> candidates = new ArrayList<>();
      try (Connection connection = dataSource.getConnection();
          ResultSet keys = connection.createStatement().executeQuery("SELECT key_bytes FROM personal_data_keys");) {
        while (keys.next()) candidates.add(keys.getBytes(1));
      }
      try (Connection connection = dataSource.getConnection();
          ResultSet checks = connection.createStatement().executeQuery("SELECT sealed_check FROM master_key_checks")) {
        while (checks.next()) candidates.add(checks.getBytes(1));
      }
      assertThat(candidates).hasSizeGreaterThanOrEqualTo(2);
      byte[] sealed = Base64.getDecoder().decode(email.ciphertext());
      for (byte[] candidate : candidates) {
        assertThat(candidate.length).as("a wrapped key is longer than a bare AES-256 key").isNotEqualTo(32);
        for (int offset = 0; offset + 32 <= candidate.length; offset++) {
          byte[] key = java.util.Arrays.copyOfRange(candidate, offset, offset + 32);
          assertThat(opens(key, sealed, "shopper-dump")).as("key bytes at offset %d of a stored row", offset).isFalse();
        }
      }
      // And a node with another master key (same id, as an attacker would configure) is refused.
      PersonalDataVault other = new PersonalDataVault(dataSource, MasterKeys.of(TestMasterKeys.random("t1")));
      assertThatThrownBy(other::checkMasterKeys).isInstanceOf(MasterKeyException.class)
          .hasMessageContaining("wrong master key").hasMessageContaining("t1");
      assertThatThrownBy(() -> other.decrypt(email)).isInstanceOf(MasterKeyException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void aRotationReWrapsEveryKeyThenTheOldMasterKeyCanGo(TestDatabase.Kind kind) throws Exception {
    try (TestDatabase database = TestDatabase.create(kind);
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      SchemaMigrations.migrate(dataSource, database.settings().kind());
      PrivacySettings.MasterKey k1 = TestMasterKeys.random("k1");
      PrivacySettings.MasterKey k2 = TestMasterKeys.random("k2");
      PersonalDataVault before = new PersonalDataVault(dataSource, MasterKeys.of(k1));
      before.checkMasterKeys();
      List<EncryptedPersonalData> values = new ArrayList<>();
      for (int i = 0; i < 7; i++) values.add(before.encrypt("shopper-" + i, "name " + i));
      before.erase("shopper-3");
      // A key stored before wrapping existed (the V2 schema): raw bytes, no kek_id.
      byte[] legacyKey = new byte[32];
      new java.security.SecureRandom().nextBytes(legacyKey);
      try (Connection connection = dataSource.getConnection();
          PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO personal_data_keys (subject_id, key_bytes, created_at) VALUES (?, ?, ?)")) {
        insert.setString(1, "legacy");
        insert.setBytes(2, legacyKey);
        insert.setTimestamp(3, Timestamp.from(Instant.now()));
        insert.executeUpdate();
      }
      EncryptedPersonalData legacy = seal(legacyKey, "legacy", "old value");

      assertThatThrownBy(() -> new PersonalDataVault(dataSource, MasterKeys.of(k2)).checkMasterKeys())
          .as("k2 alone while keys are under k1").isInstanceOf(MasterKeyException.class)
          .hasMessageContaining("missing master key").hasMessageContaining("k1");

      PersonalDataVault during = new PersonalDataVault(dataSource, MasterKeys.of(k2, k1));
      during.checkMasterKeys();
      assertThat(during.keysPerMasterKey()).isEqualTo(Map.of("k1", 6L, "none", 1L));
      assertThat(during.decrypt(values.get(0)).value()).as("old keys still open during the rotation").isEqualTo("name 0");
      assertThat(during.rewrapBatch(4)).isEqualTo(4);
      assertThat(during.rewrapBatch(100)).isEqualTo(3);
      assertThat(during.rewrapBatch(100)).isZero();
      assertThat(during.keysPerMasterKey()).isEqualTo(Map.of("k2", 7L));

      PersonalDataVault after = new PersonalDataVault(dataSource, MasterKeys.of(k2));
      after.checkMasterKeys();
      for (int i = 0; i < 7; i++) {
        assertThat(after.decrypt(values.get(i)).value()).isEqualTo(i == 3 ? DecryptedPersonalData.ERASED_TEXT : "name " + i);
      }
      assertThat(after.decrypt(legacy).value()).isEqualTo("old value");
      assertThat(after.erasedAt("shopper-3")).as("re-wrapping never brings an erased key back").isPresent();
    }
  }

  private static boolean opens(byte[] key, byte[] sealed, String subjectId) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
      cipher.updateAAD(subjectId.getBytes(StandardCharsets.UTF_8));
      cipher.doFinal(sealed, 12, sealed.length - 12);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static EncryptedPersonalData seal(byte[] key, String subjectId, String value) throws Exception {
    byte[] iv = new byte[12];
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    cipher.updateAAD(subjectId.getBytes(StandardCharsets.UTF_8));
    byte[] out = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
    byte[] all = new byte[12 + out.length];
    System.arraycopy(out, 0, all, 12, out.length);
    return new EncryptedPersonalData(subjectId, Base64.getEncoder().encodeToString(all));
  }
}
