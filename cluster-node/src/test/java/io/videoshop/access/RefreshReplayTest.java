package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/**
 * A refresh token presented several times at once, on PostgreSQL: exactly one presentation
 * rotates it, and because the others are replays of a used-up token, the whole family is revoked,
 * the winner's new refresh token included.
 */
class RefreshReplayTest {
  private static final int ROUNDS = 5;
  private static final int CONCURRENT = 4;

  @Test
  void concurrentReplaysOfOneRefreshTokenRevokeItsFamily() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
    // The holder and the four presentations each hold a connection of the node's query share
    // (BoundedDataSource: 7 of a pool of 10; the tests' default pool of 5 lends only 3).
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres(), "videoshop.database.pool-size = 10")) {
      ApiClient api = platform.api;
      for (int round = 0; round < ROUNDS; round++) {
        String stolen = api.call("POST", "/api/v1/auth/login")
            .body(Map.of("email", TestPlatform.OPERATOR_EMAIL, "password", TestPlatform.PASSWORD)).send()
            .json().get("refreshToken").asText();
        List<CompletableFuture<ApiClient.Reply>> replies = new ArrayList<>();
        // Line the presentations up on the token's row lock, then let them go at once.
        try (Handle holder = platform.node.platform().jdbi.open()) {
          holder.begin();
          holder.createQuery("SELECT family_id FROM refresh_tokens WHERE token_hash = :hash FOR UPDATE")
              .bind("hash", Secrets.sha256(stolen)).mapTo(String.class).one();
          for (int i = 0; i < CONCURRENT; i++) {
            replies.add(CompletableFuture.supplyAsync(() ->
                api.call("POST", "/api/v1/auth/refresh").body(Map.of("refreshToken", stolen)).send(), pool));
          }
          await().atMost(Duration.ofSeconds(30)).until(() -> waitingOnLocks(holder) >= CONCURRENT);
          holder.rollback();
        }
        List<ApiClient.Reply> done = replies.stream().map(CompletableFuture::join).toList();
        List<ApiClient.Reply> won = done.stream().filter(reply -> reply.status() == 200).toList();
        assertThat(won).as("round %d: %s", round, done).hasSize(1);
        assertThat(done).filteredOn(reply -> reply.status() != 200)
            .allSatisfy(reply -> assertThat(reply.code()).isEqualTo("invalid_refresh_token"));
        String winners = won.get(0).json().get("refreshToken").asText();
        ApiClient.Reply afterReplay = api.call("POST", "/api/v1/auth/refresh")
            .body(Map.of("refreshToken", winners)).send();
        assertThat(afterReplay.status()).as("round %d: the family is revoked, the winner's token too", round)
            .isEqualTo(401);
      }
      long detected = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT count(*) FROM audit_log WHERE action = 'auth.refresh_reuse_detected'").mapTo(Long.class).one());
      assertThat(detected).isEqualTo(ROUNDS);
    } finally {
      pool.shutdownNow();
    }
  }

  private static long waitingOnLocks(Handle any) {
    return any.createQuery("""
            SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
              AND query LIKE '%FROM refresh_tokens%FOR UPDATE%'""")
        .mapTo(Long.class).one();
  }
}
