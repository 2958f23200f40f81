package io.videoshop.notification;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.videoshop.config.NotificationSettings;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.time.Duration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.simplejavamail.api.email.Email;

/**
 * Load generator, not a test: mails per second through the outbox with two nodes on PostgreSQL to
 * a local SMTP sink (GreenMail, in this JVM), and the outbox's lag (enqueue to delivered) under a
 * steady load and under a burst, next to a baseline measured in the same run: the same sink
 * driven directly by the same SMTP client (Simple Java Mail, one connection per mail, as the
 * channel does) from as many threads as the two nodes have delivery workers. Run with
 * {@code bin/videoshop bench-mail}; figures are recorded in docs/benchmarks.md.
 *
 * <p>System properties: {@code bench.burst} (3000 mails), {@code bench.rate} (steady mails/s, 50),
 * {@code bench.seconds} (steady phase, 20), {@code bench.workers} (delivery threads per node, 2).
 */
public final class MailBenchmark {
  private MailBenchmark() {}

  public static void main(String[] args) throws Exception {
    int burst = Integer.getInteger("bench.burst", 3000);
    int rate = Integer.getInteger("bench.rate", 50);
    int seconds = Integer.getInteger("bench.seconds", 20);
    int workers = Integer.getInteger("bench.workers", 2);
    GreenMail sink = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    sink.start();
    int port = sink.getSmtp().getPort();
    System.out.printf("Mail benchmark: 2 nodes x %d delivery workers, burst %d, steady %d/s for %d s, %d cores, "
        + "SMTP sink GreenMail on 127.0.0.1:%d%n", workers, burst, rate, seconds,
        Runtime.getRuntime().availableProcessors(), port);
    try (TestDatabase database = TestDatabase.postgres()) {
      double baseline = baseline(port, 2 * workers, Math.min(burst, 2000));
      sink.purgeEmailFromAllMailboxes();
      String nodeConfig = """
          videoshop.notifications.mail { transport = smtp, smtp { host = "127.0.0.1", port = %d, tls = none } }
          videoshop.notifications.outbox { workers = %d, batch-size = 20, poll-interval = 200ms }
          videoshop.bootstrap { operator-email = "operator@bench.test", operator-password = "bench password 1" }
          videoshop.auth.jwt-secret = "%s"
          """.formatted(port, workers, "ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz");
      VideoShopNode a = TestNodes.start(database, nodeConfig);
      VideoShopNode b = TestNodes.start(database, nodeConfig,
          "videoshop.cluster.seed-nodes = \"127.0.0.1:" + a.system().address().getPort().get() + "\"");
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!List.of(a, b).stream().allMatch(node -> Cluster.get(node.system()).state().members().size() == 2
            && Cluster.get(node.system()).selfMember().status() == MemberStatus.up())) {
          if (System.nanoTime() > deadline) throw new IllegalStateException("the two nodes did not form a cluster");
          Thread.sleep(100); // a load generator waiting for its cluster
        }
        Phase steady = steady(a, rate, seconds);
        Phase burstPhase = burst(a, burst);
        System.out.printf("%nBaseline, SMTP client straight to the sink (%d threads): %.0f mails/s%n", 2 * workers,
            baseline);
        System.out.printf("Outbox, steady %d mails/s for %d s: delivered %d, %.0f mails/s, lag p50 %d ms, p99 %d ms, "
            + "max %d ms, largest backlog %d%n", rate, seconds, steady.mails, steady.perSecond, steady.p50, steady.p99,
            steady.max, steady.maxBacklog);
        System.out.printf("Outbox, burst of %d: %.0f mails/s (%.0f%% of the baseline), lag p50 %d ms, p99 %d ms, "
            + "max %d ms, largest backlog %d%n", burst, burstPhase.perSecond, 100 * burstPhase.perSecond / baseline,
            burstPhase.p50, burstPhase.p99, burstPhase.max, burstPhase.maxBacklog);
        System.out.printf("Received by the sink: %d (expected %d)%n", sink.getReceivedMessages().length,
            steady.mails + burstPhase.mails);
      } finally {
        b.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        a.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      sink.stop();
    }
    System.exit(0);
  }

  /** The sink's own ceiling for this client: rendered mails sent straight from threads, no outbox. */
  private static double baseline(int port, int threads, int mails) throws Exception {
    NotificationSettings.Smtp smtp = new NotificationSettings.Smtp("127.0.0.1", port, NotificationSettings.Tls.NONE,
        "", "", Duration.ofSeconds(30), false);
    MailChannel.SmtpTransport transport = new MailChannel.SmtpTransport(smtp);
    MailTemplates templates = new MailTemplates();
    MailTemplates.Rendered rendered = templates.render("password_changed", "en", Map.of("at", "now"),
        new MailTemplates.Branding("Bench", null, Mails.DEFAULT_COLOUR), null);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong next = new AtomicLong();
    long started = System.nanoTime();
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      running.add(pool.submit(() -> {
        long i;
        while ((i = next.getAndIncrement()) < mails) {
          Email email = org.simplejavamail.email.EmailBuilder.startingBlank().from("Bench", "no-reply@bench.test")
              .to("b" + i + "@bench.test").withSubject(rendered.subject()).withPlainText(rendered.text())
              .withHTMLText(rendered.html()).buildEmail();
          if (!(transport.send(email) instanceof Channel.Delivery.Delivered)) throw new IllegalStateException("baseline send failed");
        }
        return null;
      }));
    }
    for (Future<?> future : running) future.get();
    double perSecond = mails / ((System.nanoTime() - started) / 1e9);
    pool.shutdown();
    transport.close();
    return perSecond;
  }

  private record Phase(int mails, double perSecond, long p50, long p99, long max, long maxBacklog) {}

  private static Phase steady(VideoShopNode node, int rate, int seconds) throws Exception {
    long first = lastId(node);
    int total = rate * seconds;
    AtomicLong maxBacklog = new AtomicLong();
    long started = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = started + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // the offered rate
      int index = i;
      node.platform().jdbi.useTransaction(handle -> node.platform().mails.send(handle, mail("s" + index)));
      if (i % rate == 0) maxBacklog.accumulateAndGet(pending(node), Math::max);
    }
    awaitDelivered(node, first, total, maxBacklog);
    return phase(node, first, total, Duration.ofNanos(System.nanoTime() - started), maxBacklog.get());
  }

  private static Phase burst(VideoShopNode node, int mails) throws Exception {
    long first = lastId(node);
    AtomicLong maxBacklog = new AtomicLong();
    long started = System.nanoTime();
    for (int from = 0; from < mails; from += 100) {
      int start = from;
      node.platform().jdbi.useTransaction(handle -> {
        for (int i = start; i < Math.min(start + 100, mails); i++) node.platform().mails.send(handle, mail("u" + i));
      });
    }
    awaitDelivered(node, first, mails, maxBacklog);
    // Throughput from the first row's creation to the last delivery, as the database saw them.
    Duration span = node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT min(created_at) AS a, max(finished_at) AS b FROM outbox WHERE id > :first")
        .bind("first", first)
        .map((rs, ctx) -> Duration.between(rs.getTimestamp("a").toInstant(), rs.getTimestamp("b").toInstant())).one());
    Phase phase = phase(node, first, mails, span, maxBacklog.get());
    System.out.printf("(burst enqueued in %d ms)%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return phase;
  }

  private static Mails.Mail mail(String name) {
    return new Mails.Mail(null, "bench", name + "@bench.test", "en", "password_changed", Map.of("at", "now"));
  }

  private static long lastId(VideoShopNode node) {
    return node.platform().jdbi.withHandle(handle -> handle.createQuery("SELECT coalesce(max(id), 0) FROM outbox")
        .mapTo(Long.class).one());
  }

  private static long pending(VideoShopNode node) {
    return node.platform().outbox.backlog().pending();
  }

  private static void awaitDelivered(VideoShopNode node, long first, int mails, AtomicLong maxBacklog) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (true) {
      long pending = pending(node);
      maxBacklog.accumulateAndGet(pending, Math::max);
      int delivered = node.platform().jdbi.withHandle(handle -> handle.createQuery(
          "SELECT count(*) FROM outbox WHERE id > :first AND status = 'delivered'").bind("first", first)
          .mapTo(Integer.class).one());
      if (delivered >= mails) return;
      if (System.nanoTime() > deadline) throw new IllegalStateException("only " + delivered + " of " + mails + " delivered");
      Thread.sleep(100); // sampling the backlog
    }
  }

  private static Phase phase(VideoShopNode node, long first, int mails, Duration span, long maxBacklog) {
    List<Long> lags = new ArrayList<>(node.platform().jdbi.withHandle(handle -> handle.createQuery(
            "SELECT created_at, finished_at FROM outbox WHERE id > :first AND status = 'delivered'")
        .bind("first", first)
        .map((rs, ctx) -> Duration.between(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant()).toMillis())
        .list()));
    Collections.sort(lags);
    return new Phase(lags.size(), mails / (span.toMillis() / 1000.0), lags.get(lags.size() / 2),
        lags.get(Math.min(lags.size() - 1, (int) Math.ceil(lags.size() * 0.99) - 1)), lags.get(lags.size() - 1),
        maxBacklog);
  }

}
