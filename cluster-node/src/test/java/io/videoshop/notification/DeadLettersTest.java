package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node whose SMTP server refuses some recipients for good (550) and others for now (451): the
 * first are dead-lettered after one attempt, the others retried until the last attempt; both show
 * in the tenant's outbox view and the metrics, without their content.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLettersTest {
  private ScriptedSmtpServer smtp;
  private TestPlatform platform;
  private TestPlatform.TestTenant shop;

  @BeforeAll
  void start() throws Exception {
    smtp = new ScriptedSmtpServer(rcpt -> rcpt.contains("@refused.test") ? "550 5.1.1 no such mailbox"
        : rcpt.contains("@later.test") ? "451 4.3.0 try again later" : "250 OK");
    platform = new TestPlatform(TestDatabase.h2InMemory(), """
        videoshop.notifications.mail { transport = smtp, smtp { host = "127.0.0.1", port = %d, tls = none } }
        videoshop.notifications.outbox { poll-interval = 100ms, max-attempts = 3, backoff-min = 200ms, backoff-max = 400ms }
        """.formatted(smtp.port()));
    // The test tenant's invitations go through the same server: read their tokens from what it accepted.
    platform.mailbox = (to, prefix) -> {
      Pattern token = Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_-]{20,}");
      String[] found = new String[1];
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (String data : smtp.accepted) {
          MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
              new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)));
          if (!message.getAllRecipients()[0].toString().equals(to)) continue;
          Matcher matcher = token.matcher(plainText(message));
          if (matcher.find()) found[0] = matcher.group();
        }
        return found[0] != null;
      });
      return found[0];
    };
    shop = platform.tenant("dead-letters");
  }

  @AfterAll
  void stop() throws Exception {
    if (platform != null) platform.close();
    if (smtp != null) smtp.close();
  }

  private static String plainText(Part part) throws Exception {
    if (part.isMimeType("text/plain")) return (String) part.getContent();
    if (part.getContent() instanceof Multipart multipart) {
      for (int i = 0; i < multipart.getCount(); i++) {
        String found = plainText(multipart.getBodyPart(i));
        if (found != null) return found;
      }
    }
    return null;
  }

  private long rcptTo(String domain) {
    return smtp.commands.stream().filter(command -> command.startsWith("RCPT") && command.contains(domain)).count();
  }

  @Test
  void aPermanentRefusalIsDeadLetteredAtOnceATemporaryOneAfterItsRetriesAndBothShowWithoutTheirContent() {
    Mails mails = platform.node.platform().mails;
    platform.node.platform().jdbi.useTransaction(handle -> {
      assertThat(mails.send(handle, new Mails.Mail(shop.id(), "user:x", "owner@refused.test", "en", "low_balance",
          Map.of("minutesLeft", 5, "topUpLink", "https://videoshop.example/admin")))).isTrue();
      assertThat(mails.send(handle, new Mails.Mail(shop.id(), "user:y", "someone@later.test", "en", "password_changed",
          Map.of("at", "2026-01-01 09:00 UTC")))).isTrue();
    });

    String outbox = "/api/v1/tenants/" + shop.id() + "/outbox";
    await().atMost(Duration.ofSeconds(30)).until(() ->
        platform.api.call("GET", outbox).bearer(shop.ownerToken()).send().json().size() == 2);
    ApiClient.Reply dead = platform.api.call("GET", outbox + "?status=dead").bearer(shop.adminToken()).send();
    assertThat(dead.status()).as("%s", dead).isEqualTo(200);
    JsonNode refused = find(dead.json(), "low_balance");
    assertThat(refused.get("kind").asText()).isEqualTo("mail");
    assertThat(refused.get("status").asText()).isEqualTo("dead");
    assertThat(refused.get("attempts").asInt()).as("a 5xx is not retried").isEqualTo(1);
    assertThat(refused.get("lastError").asText()).isEqualTo("SMTP 550");
    JsonNode later = find(dead.json(), "password_changed");
    assertThat(later.get("attempts").asInt()).as("a 4xx is retried to the last attempt").isEqualTo(3);
    assertThat(later.get("lastError").asText()).isEqualTo("gave up after 3 attempts: SMTP 451");
    assertThat(rcptTo("@refused.test")).isEqualTo(1);
    assertThat(rcptTo("@later.test")).isEqualTo(3);
    // The view never shows what was sent or to whom.
    assertThat(dead.body()).doesNotContain("refused.test").doesNotContain("later.test").doesNotContain("payload")
        .doesNotContain("topUpLink");

    assertThat(platform.api.call("GET", outbox + "?status=pending").bearer(shop.ownerToken()).send().json()).isEmpty();
    ApiClient.Reply bad = platform.api.call("GET", outbox + "?status=lost").bearer(shop.ownerToken()).send();
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().at("/errors/0/code").asText()).isEqualTo("invalid_status");
    assertThat(platform.api.call("GET", outbox).bearer(shop.agentToken()).send().status()).isEqualTo(403);

    // Metrics: the dead letters, and the attempts by kind, topic and result.
    await().atMost(Duration.ofSeconds(20)).until(() -> platform.metrics().lines()
        .anyMatch(line -> line.matches("videoshop_outbox_dead(\\{[^}]*})? 2\\.0")));
    String metrics = platform.metrics();
    assertThat(metrics).containsPattern(
        "videoshop_outbox_deliveries_total\\{[^}]*kind=\"mail\"[^}]*result=\"dead\"[^}]*topic=\"low_balance\"[^}]*} 1\\.0");
    assertThat(metrics).containsPattern(
        "videoshop_outbox_deliveries_total\\{[^}]*kind=\"mail\"[^}]*result=\"retry\"[^}]*topic=\"password_changed\"[^}]*} 2\\.0");
  }

  private static JsonNode find(JsonNode rows, String topic) {
    for (JsonNode row : rows) {
      if (row.get("topic").asText().equals(topic)) return row;
    }
    throw new AssertionError("no " + topic + " row in " + rows);
  }
}
