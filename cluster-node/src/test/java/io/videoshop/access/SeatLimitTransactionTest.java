package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.domain.Role;
import io.videoshop.domain.Caller;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The seat limit is the wallet's (an actor's) answer: inviting and accepting ask it before their
 * transaction opens, so a slow wallet never holds a database connection in a transaction.
 * Checked on PostgreSQL itself: while the limit is being asked, no connection of this database
 * may sit "idle in transaction" over the users and invitations tables.
 */
class SeatLimitTransactionTest {

  @Test
  void invitingAndAcceptingAskTheSeatLimitOutsideTheirTransaction() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.postgres())) {
      TestPlatform.TestTenant tenant = platform.tenant("seats-tx");
      Jdbi jdbi = platform.node.platform().jdbi;
      List<Long> openWhileAsking = new CopyOnWriteArrayList<>();
      Users.SeatLimit watching = tenantId -> {
        // From another thread, as the wallet answers (Jdbi would reuse this thread's open handle).
        openWhileAsking.add(CompletableFuture.supplyAsync(() -> jdbi.withHandle(handle -> handle.createQuery("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND state LIKE 'idle in transaction%'
                  AND (query LIKE '%FROM users%' OR query LIKE '%FROM invitations%')""")
            .mapTo(Long.class).one())).join());
        return Optional.of(10);
      };
      Users users = new Users(jdbi, platform.node.platform().audit, platform.node.platform().mails,
          platform.node.platform().settings.auth(), platform.node.platform().settings.passwordResetLimits(), watching,
          Clock.systemUTC(), platform.node.platform().sessions);
      Caller owner = new Caller(Caller.Kind.USER, tenant.ownerId(), tenant.id(), Role.OWNER, Set.of(), "127.0.0.1",
          "test");

      users.invite(owner, tenant.id(), new Users.Invite("late@seats-tx.test", "agent"));
      String token = platform.mailedToken("late@seats-tx.test", "inv_");
      users.acceptInvitation(Caller.anonymous("127.0.0.1", "test"),
          new Users.AcceptInvitation(token, "Late", TestPlatform.PASSWORD));

      assertThat(openWhileAsking).as("asked once per invite and once per acceptance").hasSize(2);
      assertThat(openWhileAsking).as("transactions open while the wallet was asked").containsOnly(0L);
    }
  }
}
