package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoshop.domain.DomainError;
import org.junit.jupiter.api.Test;

class PasswordsTest {

  @Test
  void hashesWithArgon2idAndVerifies() {
    String hash = Passwords.hash("correct horse battery");
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(Passwords.hash("correct horse battery")).as("salted").isNotEqualTo(hash);
    assertThat(Passwords.matches("correct horse battery", hash)).isTrue();
    assertThat(Passwords.matches("correct horse batterY", hash)).isFalse();
    assertThat(Passwords.matches("anything", null)).isFalse();
  }

  @Test
  void rulesNameTheProblem() {
    assertThat(code("short", "a@b.c")).isEqualTo("password_too_short");
    assertThat(code("x".repeat(129), "a@b.c")).isEqualTo("password_too_long");
    assertThat(code("aaaaaaaaaaaa", "a@b.c")).isEqualTo("password_too_simple");
    assertThat(code("my-olivia-password", "olivia@shop.example")).isEqualTo("password_contains_email");
    Passwords.checkRules("password", "correct horse battery", "olivia@shop.example");
  }

  private static String code(String password, String email) {
    try {
      Passwords.checkRules("password", password, email);
      throw new AssertionError("accepted " + password);
    } catch (DomainError e) {
      assertThat(e.errors().get(0).field()).isEqualTo("password");
      return e.errors().get(0).code();
    }
  }

  @Test
  void secretsAreRandomAndOnlyTheirDigestIsKept() {
    String secret = Secrets.newSecret("vsk_");
    assertThat(secret).startsWith("vsk_").hasSize(4 + 43).isNotEqualTo(Secrets.newSecret("vsk_"));
    assertThat(Secrets.sha256(secret)).hasSize(64).isEqualTo(Secrets.sha256(secret));
    assertThatThrownBy(() -> Passwords.checkRules("password", null, null)).isInstanceOf(DomainError.class);
  }
}
