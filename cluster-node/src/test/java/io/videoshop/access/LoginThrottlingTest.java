package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Repeated failed logins are answered ever more slowly, then locked for a while; both are audited. */
class LoginThrottlingTest {

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void failedLoginsAreSlowedThenLockedForAWhile(TestDatabase.Kind kind) throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.create(kind),
        "videoshop.auth.login { max-failures = 3, lockout = 3s, slowdown-step = 150ms }")) {
      ApiClient api = platform.api;
      platform.tenant("locks");
      Map<String, String> wrong = Map.of("email", "agent@locks.test", "password", "not the password");
      Map<String, String> right = Map.of("email", "agent@locks.test", "password", TestPlatform.PASSWORD);

      long first = timed(() -> assertThat(api.call("POST", "/api/v1/auth/login").body(wrong).send().code())
          .isEqualTo("invalid_credentials"));
      long second = timed(() -> assertThat(api.call("POST", "/api/v1/auth/login").body(wrong).send().code())
          .isEqualTo("invalid_credentials"));
      assertThat(first).as("first failure waits one step").isGreaterThanOrEqualTo(150);
      assertThat(second).as("second failure waits two steps").isGreaterThanOrEqualTo(300);

      ApiClient.Reply locked = api.call("POST", "/api/v1/auth/login").body(wrong).send();
      assertThat(locked.status()).isEqualTo(429);
      assertThat(locked.code()).isEqualTo("login_locked");
      assertThat(locked.headers().firstValue("Retry-After")).hasValue("3");
      ApiClient.Reply stillLocked = api.call("POST", "/api/v1/auth/login").body(right).send();
      assertThat(stillLocked.status()).as("even the right password waits out the lock").isEqualTo(429);

      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).until(() ->
          api.call("POST", "/api/v1/auth/login").body(right).send().status() == 200);

      var actions = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
              "SELECT action FROM audit_log WHERE action LIKE 'auth.%' ORDER BY id").mapTo(String.class).list());
      assertThat(actions).containsSubsequence("auth.login_failed", "auth.login_failed", "auth.login_failed",
          "auth.lockout", "auth.login");
    }
  }

  private static long timed(Runnable call) {
    long started = System.nanoTime();
    call.run();
    return (System.nanoTime() - started) / 1_000_000;
  }
}
