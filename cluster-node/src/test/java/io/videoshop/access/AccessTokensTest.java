package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videoshop.domain.Role;
import io.videoshop.domain.Caller;
import io.videoshop.config.AuthSettings;
import io.videoshop.domain.DomainError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessTokensTest {
  private static final String KEY_1 = "first-signing-key-first-signing-key-1";
  private static final String KEY_2 = "second-signing-key-second-signing-key-2";
  private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

  private static AuthSettings settings(String secret, List<String> previous) {
    return new AuthSettings(secret, previous, Duration.ofMinutes(15), Duration.ofDays(30), Duration.ofDays(7),
        Duration.ofHours(1), 5, Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofHours(2),
        Duration.ofMillis(250), Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofHours(1));
  }

  private static AccessTokens tokens(String secret, List<String> previous, Instant now) {
    AuthSettings settings = settings(secret, previous);
    return new AccessTokens(new SigningKeys(settings), settings, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void aTokenSaysWhoItsUserIsTheTenantAndTheRole() {
    AccessTokens tokens = tokens(KEY_1, List.of(), NOW);
    AccessTokens.Issued issued = tokens.issue("user-1", "tenant-1", Role.ADMIN);
    assertThat(issued.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
    Caller caller = tokens.verify(issued.token(), "10.0.0.1", "test");
    assertThat(caller).isEqualTo(new Caller(Caller.Kind.USER, "user-1", "tenant-1", Role.ADMIN, java.util.Set.of(),
        "10.0.0.1", "test"));
  }

  @Test
  void anExpiredTokenIsRefusedWithItsOwnCode() {
    String token = tokens(KEY_1, List.of(), NOW).issue("u", "t", Role.AGENT).token();
    AccessTokens later = tokens(KEY_1, List.of(), NOW.plus(Duration.ofMinutes(16)));
    assertThatThrownBy(() -> later.verify(token, "ip", "ua")).isInstanceOfSatisfying(DomainError.class,
        e -> assertThat(e.kind() + " " + e.code()).isEqualTo("UNAUTHORIZED token_expired"));
  }

  @Test
  void afterRotationThePreviousKeyStillVerifiesAndAnUnknownKeyDoesNot() {
    String old = tokens(KEY_1, List.of(), NOW).issue("u", "t", Role.AGENT).token();
    AccessTokens rotated = tokens(KEY_2, List.of(KEY_1), NOW);
    assertThat(rotated.verify(old, "ip", "ua").id()).isEqualTo("u");
    assertThat(rotated.verify(rotated.issue("v", "t", Role.OWNER).token(), "ip", "ua").role()).isEqualTo(Role.OWNER);
    AccessTokens retired = tokens(KEY_2, List.of(), NOW);
    assertThatThrownBy(() -> retired.verify(old, "ip", "ua")).isInstanceOfSatisfying(DomainError.class,
        e -> assertThat(e.kind() + " " + e.code()).isEqualTo("UNAUTHORIZED invalid_token"));
  }

  @Test
  void aTamperedTokenIsRefused() {
    AccessTokens tokens = tokens(KEY_1, List.of(), NOW);
    String token = tokens.issue("u", "t", Role.AGENT).token();
    String[] parts = token.split("\\.");
    String forgedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("agent", "owner").getBytes());
    assertThatThrownBy(() -> tokens.verify(parts[0] + "." + forgedClaims + "." + parts[2], "ip", "ua"))
        .isInstanceOfSatisfying(DomainError.class, e -> assertThat(e.code()).isEqualTo("invalid_token"));
    assertThatThrownBy(() -> tokens.verify("garbage", "ip", "ua"))
        .isInstanceOfSatisfying(DomainError.class, e -> assertThat(e.code()).isEqualTo("invalid_token"));
  }
}
