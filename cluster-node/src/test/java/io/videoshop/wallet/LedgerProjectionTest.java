package io.videoshop.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.projection.ProjectionDatabase;
import java.time.Instant;
import java.util.function.Supplier;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.Test;

/** A ledger entry delivered again (a replayed offset, a redelivered envelope) cannot stop the projection. */
class LedgerProjectionTest {

  @Test
  void aRedeliveredEntryIsWrittenOnceOnPostgres() throws Exception {
    redeliveredEntryIsWrittenOnce(TestDatabase::postgres);
  }

  @Test
  void aRedeliveredEntryIsWrittenOnceOnH2() throws Exception {
    redeliveredEntryIsWrittenOnce(TestDatabase::h2InMemory);
  }

  private void redeliveredEntryIsWrittenOnce(Supplier<TestDatabase> database) throws Exception {
    try (TestPlatform platform = new TestPlatform(database.get())) {
      ProjectionDatabase projection = ProjectionDatabase.get(platform.node.system());
      Wallet.Credited credit = new Wallet.Credited("api:k-1", Wallet.CreditKind.TOP_UP, 5_000, 5_000, "first",
          Instant.parse("2026-12-01T10:00:00Z"));
      EventEnvelope<Wallet.Event> envelope = EventEnvelope.create(Offset.sequence(7),
          Wallet.ENTITY_KEY.name() + "|tenant-redelivered", 3, credit, 0L);
      for (int delivery = 0; delivery < 3; delivery++) {
        ProjectionDatabase.Session session = projection.session();
        try {
          LedgerProjection.process(session, envelope);
          session.commit();
        } finally {
          session.close();
        }
      }
      long rows = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
              "SELECT COUNT(*) FROM ledger_entries WHERE tenant_id = 'tenant-redelivered'")
          .mapTo(Long.class).one());
      assertThat(rows).isEqualTo(1);
    }
  }
}
