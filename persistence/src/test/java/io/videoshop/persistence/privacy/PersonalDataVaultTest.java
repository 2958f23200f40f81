package io.videoshop.persistence.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.videoshop.persistence.DatabasePool;
import io.videoshop.persistence.SchemaMigrations;
import io.videoshop.persistence.TestDatabase;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PersonalDataVaultTest {

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void encryptsReadsBackThenShredsToAnErasedValue(TestDatabase.Kind kind) {
    try (TestDatabase database = TestDatabase.create(kind);
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      SchemaMigrations.migrate(dataSource, database.settings().kind());
      PersonalDataVault vault = new PersonalDataVault(dataSource, TestMasterKeys.fresh());

      EncryptedPersonalData name = vault.encrypt("shopper-1", "Ada Lovelace");
      EncryptedPersonalData email = vault.encrypt("shopper-1", "ada@example.com");
      EncryptedPersonalData other = vault.encrypt("shopper-2", "Grace Hopper");

      assertThat(name.ciphertext()).doesNotContain("Ada");
      assertThat(new String(Base64.getDecoder().decode(name.ciphertext()))).doesNotContain("Ada");
      assertThat(vault.decrypt(name)).isEqualTo(DecryptedPersonalData.of("Ada Lovelace"));
      assertThat(vault.decrypt(email).value()).isEqualTo("ada@example.com");

      assertThat(vault.erase("shopper-1")).isTrue();
      assertThat(vault.erase("shopper-1")).as("second erase finds nothing to erase").isFalse();

      assertThat(vault.decrypt(name)).isEqualTo(DecryptedPersonalData.ERASED);
      assertThat(vault.decrypt(name).value()).isEqualTo("[erased]");
      assertThat(vault.decrypt(email).erased()).isTrue();
      assertThat(vault.erasedAt("shopper-1")).isPresent();
      assertThat(vault.decrypt(other).value()).as("other subjects keep their data").isEqualTo("Grace Hopper");
      assertThatThrownBy(() -> vault.encrypt("shopper-1", "again")).isInstanceOf(SubjectErasedException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void aValueCannotBeMovedToAnotherSubjectOrTamperedWith(TestDatabase.Kind kind) {
    try (TestDatabase database = TestDatabase.create(kind);
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      SchemaMigrations.migrate(dataSource, database.settings().kind());
      PersonalDataVault vault = new PersonalDataVault(dataSource, TestMasterKeys.fresh());
      EncryptedPersonalData mine = vault.encrypt("shopper-a", "secret note");
      vault.encrypt("shopper-b", "b's own");

      assertThatThrownBy(() -> vault.decrypt(new EncryptedPersonalData("shopper-b", mine.ciphertext())))
          .hasMessageContaining("does not decrypt");
      byte[] bytes = Base64.getDecoder().decode(mine.ciphertext());
      bytes[bytes.length - 1] ^= 1;
      assertThatThrownBy(() -> vault.decrypt(
              new EncryptedPersonalData("shopper-a", Base64.getEncoder().encodeToString(bytes))))
          .hasMessageContaining("tampered");
      assertThat(vault.encrypt("shopper-a", null)).isNull();
      var fresh = vault.encryptNew("shopper-new", java.util.Arrays.asList("Name", null, "note"));
      assertThat(fresh.get(1)).isNull();
      assertThat(vault.decrypt(fresh.get(0)).value()).isEqualTo("Name");
      assertThat(vault.decrypt(fresh.get(2)).value()).isEqualTo("note");
      assertThat(vault.decrypt(vault.encryptNew("shopper-a", java.util.List.of("again")).get(0)).value())
          .as("an existing subject keeps its key").isEqualTo("again");
      assertThat(vault.decrypt(mine).value()).isEqualTo("secret note");
      assertThat(vault.decrypt(null)).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void severalValuesOfOneSubjectOpenTogetherAndNoneAfterErasure(TestDatabase.Kind kind) {
    try (TestDatabase database = TestDatabase.create(kind);
        HikariDataSource dataSource = DatabasePool.open(database.settings())) {
      SchemaMigrations.migrate(dataSource, database.settings().kind());
      PersonalDataVault vault = new PersonalDataVault(dataSource, TestMasterKeys.fresh());
      String body = vault.encrypt("endpoint-1", "{\"n\":1}").ciphertext();
      String secret = vault.encrypt("endpoint-1", "whsec_x").ciphertext();
      assertThat(vault.decrypt("endpoint-1", java.util.Arrays.asList(body, null, secret)))
          .containsExactly(DecryptedPersonalData.of("{\"n\":1}"), null, DecryptedPersonalData.of("whsec_x"));
      assertThat(vault.decrypt("endpoint-2", java.util.List.of(body))).as("a subject without a key opens nothing")
          .containsExactly(DecryptedPersonalData.ERASED);
      vault.encrypt("endpoint-2", "other");
      assertThatThrownBy(() -> vault.decrypt("endpoint-2", java.util.List.of(body)))
          .as("another subject's key does not open them").hasMessageContaining("does not decrypt");
      vault.erase("endpoint-1");
      assertThat(vault.decrypt("endpoint-1", java.util.List.of(body, secret)))
          .containsExactly(DecryptedPersonalData.ERASED, DecryptedPersonalData.ERASED);
    }
  }
}
