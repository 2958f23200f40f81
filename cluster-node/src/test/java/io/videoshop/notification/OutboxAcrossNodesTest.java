package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.micrometer.core.instrument.Counter;
import io.videoshop.metrics.NodeMetrics;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL share a backlog of 1,000 mails to an in-process SMTP server; one
 * node dies hard half-way. Every mail arrives; none twice, except at most one per delivery thread
 * of the dead node (a mail it handed to the server but had no time to mark delivered: SMTP has no
 * way to ask the server whether it already has it, so at-least-once is the honest best there).
 */
class OutboxAcrossNodesTest {
  private static final int MAILS = 1_000;
  private static final int WORKERS = 2;
  private static final String CRASHABLE = """
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.cluster.run-coordinated-shutdown-when-down = off
      pekko.cluster.split-brain-resolver.stable-after = 4s
      """;

  private static String mail(int smtpPort) {
    return """
        videoshop.notifications.mail { transport = smtp, smtp { host = "127.0.0.1", port = %d, tls = none } }
        videoshop.notifications.outbox { workers = %d, batch-size = 20, lease = 5s, poll-interval = 200ms }
        """.formatted(smtpPort, WORKERS);
  }

  @Test
  void twoNodesShareABacklogAndAKilledNodeLosesNoMail() throws Exception {
    GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
    try (TestPlatform a = new TestPlatform(TestDatabase.postgres(), CRASHABLE, mail(smtp.getSmtp().getPort()))) {
      String seed = "videoshop.cluster.seed-nodes = \"127.0.0.1:" + a.node.system().address().getPort().get() + "\"";
      VideoShopNode b = TestNodes.start(a.database, seed, CRASHABLE, mail(smtp.getSmtp().getPort()),
          "videoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"");
      boolean bAlive = true;
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of(a.node, b).stream().allMatch(node ->
            Cluster.get(node.system()).state().members().size() == 2
                && Cluster.get(node.system()).selfMember().status() == MemberStatus.up()));

        Mails mails = a.node.platform().mails;
        for (int batch = 0; batch < MAILS / 100; batch++) {
          int first = batch * 100;
          a.node.platform().jdbi.useTransaction(handle -> {
            for (int i = first; i < first + 100; i++) {
              mails.send(handle, new Mails.Mail(null, "bulk", "r" + i + "@bulk.test", "en", "password_changed",
                  Map.of("at", "mail " + i)));
            }
          });
        }

        await().atMost(Duration.ofSeconds(120)).until(() -> smtp.getReceivedMessages().length >= MAILS * 3 / 10);
        double deliveredByB = delivered(b);
        b.system().terminate(); // a crash as the other node sees it: no shutdown, leases left held
        bAlive = false;
        int atKill = smtp.getReceivedMessages().length;

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() ->
            a.node.platform().jdbi.withHandle(handle -> handle.createQuery(
                "SELECT count(*) FROM outbox WHERE status = 'delivered'").mapTo(Integer.class).one()) == MAILS);

        MimeMessage[] received = smtp.getReceivedMessages();
        Set<String> ids = new HashSet<>();
        Set<String> recipients = new HashSet<>();
        Map<String, Integer> copies = new HashMap<>();
        for (MimeMessage message : received) {
          ids.add(message.getMessageID());
          recipients.add(message.getAllRecipients()[0].toString());
          copies.merge(message.getMessageID(), 1, Integer::sum);
        }
        int duplicates = received.length - ids.size();
        // Rows claimed twice: the dead node's batches, left leased when it died and taken over by A once the
        // leases ran out (A never fails a mail: GreenMail takes all). None would mean the kill tested nothing.
        int takenOver = a.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT count(*) FROM outbox WHERE attempts >= 2").mapTo(Integer.class).one());
        System.out.printf("Outbox across nodes: %d mails, %d received (%d at the kill), node B delivered %.0f before it "
            + "died, node A %.0f in all, %d taken over from B's leases, %d duplicates%n", MAILS, received.length, atKill,
            deliveredByB, delivered(a.node), takenOver, duplicates);
        assertThat(ids).as("every mail once at least").hasSize(MAILS);
        assertThat(recipients).hasSize(MAILS);
        assertThat(duplicates).as("only mails the dead node sent but could not mark").isLessThanOrEqualTo(WORKERS);
        assertThat(takenOver).as("node A took over what the dead node held").isPositive();
        assertThat(deliveredByB).as("node B shared the work").isGreaterThan(0);
        assertThat(delivered(a.node)).as("node A shared the work").isGreaterThan(0);
        int withPayload = a.node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT count(*) FROM outbox WHERE payload IS NOT NULL").mapTo(Integer.class).one());
        assertThat(withPayload).as("delivered rows keep no payload").isZero();
      } finally {
        if (bAlive) b.system().terminate();
        b.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    } finally {
      smtp.stop();
    }
  }

  private static double delivered(VideoShopNode node) {
    return NodeMetrics.get(node.system()).registry().find("videoshop_outbox_deliveries_total").tag("result", "delivered")
        .counters().stream().mapToDouble(Counter::count).sum();
  }
}
