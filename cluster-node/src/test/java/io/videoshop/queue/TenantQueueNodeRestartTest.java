package io.videoshop.queue;

import static io.videoshop.queue.TestTickets.details;
import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.queue.TenantQueue.Command;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue through Cluster Sharding on a real node: a node started on the same database finds it as it was. */
class TenantQueueNodeRestartTest {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(15);
  private static final String TENANT = "tenant-restart";

  @Test
  void waitingTicketsAndAgentsComeBackInOrderOnPostgres() throws Exception {
    try (TestDatabase database = TestDatabase.postgres()) {
      stopThenStartAnotherNode(database);
    }
  }

  @Test
  void waitingTicketsAndAgentsComeBackInOrderOnTheEmbeddedH2FileDatabase(@TempDir Path directory) throws Exception {
    stopThenStartAnotherNode(TestDatabase.h2File(directory));
  }

  private void stopThenStartAnotherNode(TestDatabase database) throws Exception {
    List<TenantQueue.Queued> queued;
    VideoShopNode first = TestNodes.start(database);
    try {
      TenantQueue.Confirmation away = ask(first, replyTo ->
          new TenantQueue.AgentPresence("agent-1", Presence.AWAY, Set.of("de"), Set.of("shoes"), replyTo));
      assertThat(away).isEqualTo(TenantQueue.Confirmed.INSTANCE);
      queued = List.of(join(first, "s1"), join(first, "s2"), join(first, "s3"));
      assertThat(queued).extracting(TenantQueue.Queued::position).containsExactly(1, 2, 3);
    } finally {
      first.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    VideoShopNode second = TestNodes.start(database);
    try {
      QueueView view = ask(second, TenantQueue.GetQueue::new);
      assertThat(view.tickets()).extracting(QueueView.WaitingTicket::ticketId)
          .containsExactlyElementsOf(queued.stream().map(TenantQueue.Queued::ticketId).toList());
      Agent agent = view.agents().get(0);
      assertThat(agent.agentId()).isEqualTo("agent-1");
      assertThat(agent.presence()).isEqualTo(Presence.AWAY);
      assertThat(agent.languages()).containsExactly("de");

      TenantQueue.Queued shopper = queued.get(1);
      TenantQueue.ResumeReply resumed = ask(second, replyTo ->
          new TenantQueue.Resume(shopper.ticketId(), shopper.resumeToken(), replyTo));
      assertThat(resumed).isEqualTo(new TenantQueue.Resumed(shopper.ticketId(), 2, null));
    } finally {
      second.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static TenantQueue.Queued join(VideoShopNode node, String shopper) throws Exception {
    TenantQueue.JoinReply reply = ask(node, replyTo -> new TenantQueue.Join(details(shopper), null, replyTo));
    assertThat(reply).isInstanceOf(TenantQueue.Queued.class);
    return (TenantQueue.Queued) reply;
  }

  private static <R> R ask(VideoShopNode node, Function<ActorRef<R>, Command> message) throws Exception {
    EntityRef<Command> queue = ClusterSharding.get(node.system()).entityRefFor(TenantQueue.ENTITY_KEY, TENANT);
    return queue.ask(message::apply, ASK_TIMEOUT)
        .toCompletableFuture()
        .get(ASK_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
  }
}
