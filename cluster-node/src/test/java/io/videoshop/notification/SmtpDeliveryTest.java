package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.videoshop.config.NotificationSettings;
import io.videoshop.node.MovableClock;
import io.videoshop.persistence.DatabasePool;
import io.videoshop.persistence.SchemaMigrations;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.PersonalDataVault;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mail channel against real SMTP servers: GreenMail with implicit TLS and authentication, a
 * plain server that cannot STARTTLS, and a scripted server that refuses temporarily (4xx) or for
 * good (5xx). The workers are driven one batch at a time on a movable clock.
 */
class SmtpDeliveryTest {
  private TestDatabase database;
  private HikariDataSource pool;
  private Jdbi jdbi;
  private Outbox outbox;
  private MovableClock clock;

  @BeforeEach
  void start() {
    database = TestDatabase.h2InMemory();
    pool = DatabasePool.open(database.settings());
    SchemaMigrations.migrate(pool, database.settings().kind());
    jdbi = Jdbi.create(pool);
    clock = new MovableClock(Instant.parse("2026-01-01T09:00:00Z"));
    outbox = new Outbox(jdbi, new PersonalDataVault(pool, io.videoshop.persistence.privacy.TestMasterKeys.fresh()), clock, Outbox.Dialect.H2);
  }

  @AfterEach
  void stop() throws Exception {
    pool.close();
    database.close();
  }

  private record Rig(Mails mails, MailChannel channel, DeliveryWorkers workers) {}

  private Rig rig(NotificationSettings.Smtp smtp) {
    NotificationSettings.Mail settings = new NotificationSettings.Mail(NotificationSettings.Transport.SMTP,
        Path.of("unused"), smtp, "no-reply@videoshop.test", "VideoShop Test", "https://videoshop.test");
    MailTemplates templates = new MailTemplates();
    Mails mails = new Mails(jdbi, outbox, templates, settings, clock);
    MailChannel channel = new MailChannel(mails, templates, settings);
    DeliveryWorkers workers = new DeliveryWorkers(outbox, List.of(channel),
        new NotificationSettings.Outbox(1, 10, Duration.ofMillis(100), Duration.ofMinutes(2), 3, Duration.ofSeconds(10),
            Duration.ofMinutes(1)), new SimpleMeterRegistry(), "node-test", clock);
    return new Rig(mails, channel, workers);
  }

  private static NotificationSettings.Smtp smtp(int port, NotificationSettings.Tls tls, String user, String password) {
    return new NotificationSettings.Smtp("127.0.0.1", port, tls, user, password, Duration.ofSeconds(10), true);
  }

  private long send(Rig rig, String to) {
    jdbi.useTransaction(handle -> rig.mails.send(handle, new Mails.Mail(null, "subject-1", to, "de", "password_changed",
        Map.of("at", "2026-01-01 09:00 UTC"))));
    return jdbi.withHandle(h -> h.createQuery("SELECT max(id) FROM outbox").mapTo(Long.class).one());
  }

  private Map<String, Object> row(long id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT status, attempts, last_error, payload FROM outbox WHERE id = :id")
        .bind("id", id).mapToMap().one());
  }

  @Test
  void implicitTlsWithAuthenticationDeliversTheRenderedMail() throws Exception {
    GreenMail server = new GreenMail(ServerSetupTest.SMTPS.dynamicPort())
        .withConfiguration(GreenMailConfiguration.aConfig().withUser("mailer@videoshop.test", "mailer", "s3cret-pass"));
    server.start();
    try {
      Rig rig = rig(smtp(server.getSmtps().getPort(), NotificationSettings.Tls.IMPLICIT, "mailer", "s3cret-pass"));
      long id = send(rig, "Person@Example.test");
      assertThat(rig.workers.deliverDueBatch()).isEqualTo(1);

      assertThat(server.waitForIncomingEmail(10_000, 1)).isTrue();
      MimeMessage received = server.getReceivedMessages()[0];
      assertThat(received.getSubject()).isEqualTo("Ihr Passwort wurde geändert"); // German, as asked
      assertThat(received.getAllRecipients()[0].toString()).isEqualTo("person@example.test");
      assertThat(received.getFrom()[0].toString()).contains("VideoShop Test").contains("no-reply@videoshop.test");
      assertThat(received.getHeader("List-Unsubscribe")).as("essential mail has no unsubscribe").isNull();
      String body = GreenMailUtil.getBody(received);
      assertThat(body).contains("text/plain").contains("text/html");
      assertThat(row(id)).containsEntry("status", "delivered").containsEntry("payload", null);
      rig.channel.close();
    } finally {
      server.stop();
    }
  }

  @Test
  void aWrongPasswordIsNotDeliveredAndIsRetried() throws Exception {
    GreenMail server = new GreenMail(ServerSetupTest.SMTPS.dynamicPort())
        .withConfiguration(GreenMailConfiguration.aConfig().withUser("mailer@videoshop.test", "mailer", "s3cret-pass"));
    server.start();
    try {
      Rig rig = rig(smtp(server.getSmtps().getPort(), NotificationSettings.Tls.IMPLICIT, "mailer", "wrong-pass"));
      long id = send(rig, "person@example.test");
      rig.workers.deliverDueBatch();
      assertThat(server.getReceivedMessages()).isEmpty();
      assertThat(row(id)).containsEntry("status", "pending").containsEntry("attempts", 1);
      assertThat((String) row(id).get("last_error")).doesNotContain("wrong-pass");
    } finally {
      server.stop();
    }
  }

  @Test
  void starttlsIsRequiredSoAServerThatCannotUpgradeGetsNothingInClear() throws Exception {
    GreenMail plain = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    plain.start();
    try {
      Rig rig = rig(smtp(plain.getSmtp().getPort(), NotificationSettings.Tls.STARTTLS, "", ""));
      long id = send(rig, "person@example.test");
      rig.workers.deliverDueBatch();
      assertThat(plain.getReceivedMessages()).isEmpty();
      assertThat(row(id)).containsEntry("status", "pending");
      // The same server takes it when plain text is configured explicitly.
      Rig none = rig(smtp(plain.getSmtp().getPort(), NotificationSettings.Tls.NONE, "", ""));
      clock.advance(Duration.ofMinutes(2));
      none.workers.deliverDueBatch();
      assertThat(plain.waitForIncomingEmail(10_000, 1)).isTrue();
      assertThat(row(id)).containsEntry("status", "delivered");
    } finally {
      plain.stop();
    }
  }

  @Test
  void starttlsUpgradesTheConnectionBeforeAuthenticatingAndSending() throws Exception {
    try (ScriptedSmtpServer server = new ScriptedSmtpServer(List.of("250 OK"), true)) {
      Rig rig = rig(smtp(server.port(), NotificationSettings.Tls.STARTTLS, "mailer", "s3cret-pass"));
      long id = send(rig, "person@example.test");
      assertThat(rig.workers.deliverDueBatch()).isEqualTo(1);
      assertThat(row(id)).containsEntry("status", "delivered");
      assertThat(server.accepted).singleElement().satisfies(mail -> assertThat(mail).contains("person@example.test"));
      // The password went over the upgraded connection only, and the mail after it.
      assertThat(server.credentials).containsExactly("mailer:s3cret-pass over tls");
      List<String> commands = server.commands;
      assertThat(commands.indexOf("STARTTLS")).as("%s", commands).isPositive();
      assertThat(commands.subList(0, commands.indexOf("STARTTLS") + 1))
          .noneMatch(command -> command.startsWith("AUTH") || command.startsWith("MAIL"));
      assertThat(commands.subList(commands.indexOf("STARTTLS") + 1, commands.size()))
          .allMatch(command -> command.startsWith("[tls] "));
      assertThat(commands).anyMatch(command -> command.startsWith("[tls] AUTH"));
      rig.channel.close();
    }
  }

  @Test
  void aTemporaryRefusalIsRetriedAfterBackoff() throws Exception {
    try (ScriptedSmtpServer server = new ScriptedSmtpServer(List.of("451 4.3.0 try again later", "250 OK"))) {
      Rig rig = rig(smtp(server.port(), NotificationSettings.Tls.NONE, "", ""));
      long id = send(rig, "person@example.test");
      rig.workers.deliverDueBatch();
      assertThat(row(id)).containsEntry("status", "pending").containsEntry("last_error", "SMTP 451");
      assertThat(rig.workers.deliverDueBatch()).as("backing off").isZero();
      clock.advance(Duration.ofSeconds(11));
      rig.workers.deliverDueBatch();
      assertThat(server.rcptCount()).isEqualTo(2);
      assertThat(server.accepted).hasSize(1);
      assertThat(row(id)).containsEntry("status", "delivered").containsEntry("attempts", 2);
    }
  }

  @Test
  void aPermanentRefusalIsDeadLetteredWithoutRetry() throws Exception {
    try (ScriptedSmtpServer server = new ScriptedSmtpServer(List.of("550 5.1.1 no such mailbox"))) {
      Rig rig = rig(smtp(server.port(), NotificationSettings.Tls.NONE, "", ""));
      long id = send(rig, "nobody@example.test");
      rig.workers.deliverDueBatch();
      assertThat(row(id)).containsEntry("status", "dead").containsEntry("attempts", 1)
          .containsEntry("last_error", "SMTP 550").containsEntry("payload", null);
      clock.advance(Duration.ofHours(1));
      assertThat(rig.workers.deliverDueBatch()).isZero();
      assertThat(server.rcptCount()).isEqualTo(1);
    }
  }

  @Test
  void aRefusedConnectionIsRetriedUntilTheLastAttemptThenDeadLettered() throws Exception {
    int closedPort;
    try (var probe = new java.net.ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    Rig rig = rig(smtp(closedPort, NotificationSettings.Tls.NONE, "", ""));
    long id = send(rig, "person@example.test");
    for (int attempt = 1; attempt <= 3; attempt++) {
      rig.workers.deliverDueBatch();
      clock.advance(Duration.ofMinutes(2));
    }
    assertThat(row(id)).containsEntry("status", "dead").containsEntry("attempts", 3);
    assertThat((String) row(id).get("last_error")).startsWith("gave up after 3 attempts");
  }
}
