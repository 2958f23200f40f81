package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lockout cannot be turned against everyone behind one proxy: addresses are only slowed down,
 * the client's address is the right-most untrusted hop, accounts lock with backoff and a mail,
 * and a password reset lifts an account's lock.
 */
class LoginLockoutTest {
  private static final String PROXY = "videoshop.http.trusted-proxies = \"127.0.0.1/32, 10.0.0.0/8\"";

  @Test
  void failuresFromOneAddressDoNotLockOutTheOthersBehindTheSameProxy() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(), PROXY,
        "videoshop.auth.login { max-failures = 5, slowdown-step = 20ms }")) {
      ApiClient api = platform.api;
      platform.tenant("shared");
      for (int i = 0; i < 6; i++) {
        ApiClient.Reply failed = api.call("POST", "/api/v1/auth/login").header("X-Forwarded-For", "10.1.2.3")
            .body(Map.of("email", "nobody" + i + "@nowhere.test", "password", "guess " + i)).send();
        assertThat(failed.code()).as("failure %d: %s", i, failed).isEqualTo("invalid_credentials");
      }
      // The ingress (10.1.2.3 is inside its trusted network) forwards everyone: the owner still gets in.
      ApiClient.Reply owner = api.call("POST", "/api/v1/auth/login").header("X-Forwarded-For", "10.1.2.3")
          .body(Map.of("email", "owner@shared.test", "password", TestPlatform.PASSWORD)).send();
      assertThat(owner.status()).as("%s", owner).isEqualTo(200);
    }
  }

  @Test
  void theClientIsTheRightMostUntrustedHopAndOnlyItIsSlowedDown() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(), PROXY,
        "videoshop.auth.login { max-failures = 50, slowdown-step = 50ms }")) {
      ApiClient api = platform.api;
      platform.tenant("hops");
      // The guesser writes a fresh left-most hop every time; the ingress appends the real peer.
      for (int i = 0; i < 5; i++) {
        assertThat(api.call("POST", "/api/v1/auth/login").header("X-Forwarded-For", "198.51.100." + i + ", 203.0.113.9")
            .body(Map.of("email", "agent@hops.test", "password", "guess " + i)).send().code())
            .isEqualTo("invalid_credentials");
      }
      var addresses = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT DISTINCT ip FROM audit_log WHERE action = 'auth.login_failed'").mapTo(String.class).list());
      assertThat(addresses).containsExactly("203.0.113.9");

      // The real guesser's address is slowed (6th failure: 50ms * 2^5 = 1.6 s) ...
      // ... even after someone at that address signs in, since a success no longer clears the count.
      assertThat(api.call("POST", "/api/v1/auth/login").header("X-Forwarded-For", "203.0.113.9")
          .body(Map.of("email", "owner@hops.test", "password", TestPlatform.PASSWORD)).send().status()).isEqualTo(200);
      long slowed = timed(() -> assertThat(api.call("POST", "/api/v1/auth/login")
          .header("X-Forwarded-For", "203.0.113.9").body(Map.of("email", "x@hops.test", "password", "guess")).send()
          .code()).isEqualTo("invalid_credentials"));
      assertThat(slowed).isGreaterThanOrEqualTo(1_600);
      // Another shopper behind the same ingress is not.
      long other = timed(() -> assertThat(api.call("POST", "/api/v1/auth/login")
          .header("X-Forwarded-For", "192.0.2.44").body(Map.of("email", "y@hops.test", "password", "typo")).send()
          .code()).isEqualTo("invalid_credentials"));
      assertThat(other).isLessThan(1_600);
    }
  }

  @Test
  void anAccountLockBacksOffIsMailedAndAPasswordResetLiftsIt() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(),
        "videoshop.auth.login { max-failures = 3, lockout = 2s, max-lockout = 3s, slowdown-step = 10ms }")) {
      ApiClient api = platform.api;
      platform.tenant("backoff");
      Map<String, String> wrong = Map.of("email", "admin@backoff.test", "password", "not the password");
      Map<String, String> right = Map.of("email", "admin@backoff.test", "password", TestPlatform.PASSWORD);
      api.call("POST", "/api/v1/auth/login").body(wrong).send();
      api.call("POST", "/api/v1/auth/login").body(wrong).send();
      ApiClient.Reply locked = api.call("POST", "/api/v1/auth/login").body(wrong).send();
      assertThat(locked.code()).isEqualTo("login_locked");
      assertThat(locked.headers().firstValue("Retry-After")).hasValue("2");
      await().atMost(Duration.ofSeconds(30)).until(() -> mailsTo(platform, "admin@backoff.test") == 1);

      // The next failure after the lock locks again, twice as long but capped at max-lockout.
      await().atMost(Duration.ofSeconds(15)).until(() ->
          api.call("POST", "/api/v1/auth/login").body(wrong).send().code().equals("login_locked")
              && mailsTo(platform, "admin@backoff.test") == 2);
      ApiClient.Reply again = api.call("POST", "/api/v1/auth/login").body(right).send();
      assertThat(again.code()).isEqualTo("login_locked");
      assertThat(Integer.parseInt(again.headers().firstValue("Retry-After").orElseThrow())).isBetween(2, 3);

      // The holder resets the password from the mail and is in at once.
      api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", "admin@backoff.test")).send();
      assertThat(api.call("POST", "/api/v1/auth/password-reset/confirm").body(Map.of(
          "token", platform.mailedToken("admin@backoff.test", "rst_"), "password", "a brand new passphrase")).send()
          .status()).isEqualTo(204);
      assertThat(api.call("POST", "/api/v1/auth/login")
          .body(Map.of("email", "admin@backoff.test", "password", "a brand new passphrase")).send().status())
          .isEqualTo(200);
    }
  }

  private static long mailsTo(TestPlatform platform, String recipient) {
    // Delivered through the outbox into the node's mail folder (the file transport).
    return platform.mail.mails().stream()
        .filter(mail -> mail.getToRecipients().stream().anyMatch(to -> to.getAddress().equalsIgnoreCase(recipient)))
        .filter(mail -> mail.getSubject().startsWith("Sign-in to your account paused"))
        .count();
  }

  private static long timed(Runnable call) {
    long started = System.nanoTime();
    call.run();
    return (System.nanoTime() - started) / 1_000_000;
  }
}
