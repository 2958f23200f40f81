package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.persistence.SharedDatabase;
import io.videoshop.persistence.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events and snapshots written by one node are what the next node on the same database recovers. */
class PersistentEntityRecoveryTest {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(15);

  @Test
  void recoversAcrossRestartsOnTheEmbeddedH2FileDatabase(@TempDir Path dataDirectory) throws Exception {
    persistsThenRecoversAfterRestart(TestDatabase.h2File(dataDirectory));
  }

  @Test
  void recoversAcrossRestartsOnPostgres() throws Exception {
    try (TestDatabase database = TestDatabase.postgres()) {
      persistsThenRecoversAfterRestart(database);
    }
  }

  private void persistsThenRecoversAfterRestart(TestDatabase database) throws Exception {
    List<String> labels = IntStream.rangeClosed(1, 7).mapToObj(i -> "event-" + i).toList();

    VideoShopNode first = TestNodes.start(database);
    try {
      ProbeCounter.init(first.system());
      for (String label : labels) {
        ProbeCounter.State state = ask(first, "tenant-a", replyTo -> new ProbeCounter.Add(label, replyTo));
        assertThat(state.labels()).endsWith(label);
      }
      ask(first, "tenant-b", replyTo -> new ProbeCounter.Add("only-b", replyTo));
      // This entity's rows only: the node's own journal probe (JournalLatencyProbe) writes too, on its own clock.
      assertThat(rows(first, "SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'ProbeCounter|%'"))
          .isEqualTo(8);
      assertThat(rows(first, "SELECT count(*) FROM snapshot")).as("snapshot every 3 events").isPositive();
    } finally {
      first.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    VideoShopNode second = TestNodes.start(database);
    try {
      ProbeCounter.init(second.system());
      assertThat(ask(second, "tenant-a", ProbeCounter.Get::new).labels()).isEqualTo(labels);
      assertThat(ask(second, "tenant-b", ProbeCounter.Get::new).labels()).containsExactly("only-b");
      ProbeCounter.State after = ask(second, "tenant-a", replyTo -> new ProbeCounter.Add("after-restart", replyTo));
      assertThat(after.labels()).hasSize(8).endsWith("after-restart");
    } finally {
      second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static ProbeCounter.State ask(VideoShopNode node, String id,
      org.apache.pekko.japi.function.Function<org.apache.pekko.actor.typed.ActorRef<ProbeCounter.State>, ProbeCounter.Command> message)
      throws Exception {
    EntityRef<ProbeCounter.Command> ref = ClusterSharding.get(node.system()).entityRefFor(ProbeCounter.ENTITY_KEY, id);
    return ref.ask(message::apply, ASK_TIMEOUT).toCompletableFuture().get(ASK_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
  }

  private static long rows(VideoShopNode node, String sql) throws Exception {
    try (Connection connection = SharedDatabase.get(node.system()).dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
