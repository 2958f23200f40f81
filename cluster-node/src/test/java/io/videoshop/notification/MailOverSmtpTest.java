package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.TestPlatform;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node sending its mail to an in-process SMTP server (GreenMail): invitation and reset mails
 * with links that work, branding and language, one-click unsubscribe, the preview API, reset
 * limits, and no secret in any log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MailOverSmtpTest {
  private static final String BASE = "https://videoshop.example";
  private static final Pattern LINK = Pattern.compile(Pattern.quote(BASE) + "(/[^\\s\"<>]+)");

  private GreenMail smtp;
  private TestPlatform platform;
  private ApiClient api;
  private TestPlatform.TestTenant tenant;
  private LogCapture logs;

  @BeforeAll
  void start() {
    logs = new LogCapture();
    smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
    platform = new TestPlatform(TestDatabase.h2InMemory(), """
        videoshop.notifications.mail {
          transport = smtp
          public-base-url = "%s"
          smtp { host = "127.0.0.1", port = %d, tls = none }
        }
        videoshop.auth.password-reset.max-per-client-address = 12
        """.formatted(BASE, smtp.getSmtp().getPort()));
    api = platform.api;
    platform.mailbox = (to, prefix) -> {
      Pattern token = Pattern.compile(Pattern.quote(prefix) + "[A-Za-z0-9_-]{20,}");
      String[] found = new String[1];
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (MimeMessage message : smtp.getReceivedMessages()) {
          if (!message.getAllRecipients()[0].toString().equals(to)) continue;
          Matcher matcher = token.matcher(part(message, "text/plain"));
          if (matcher.find()) found[0] = matcher.group();
        }
        return found[0] != null;
      });
      return found[0];
    };
    tenant = platform.tenant("links");
  }

  @AfterAll
  void stop() throws Exception {
    if (platform != null) platform.close();
    smtp.stop();
    logs.close();
  }

  private MimeMessage awaitMail(String to, String template) {
    MimeMessage[] found = new MimeMessage[1];
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      for (MimeMessage message : smtp.getReceivedMessages()) {
        if (message.getAllRecipients()[0].toString().equals(to)
            && template.equals(message.getHeader("X-VideoShop-Template", null))) {
          found[0] = message;
        }
      }
      return found[0] != null;
    });
    return found[0];
  }

  private static List<MimeMessage> all(GreenMail smtp, String to, String template) throws Exception {
    List<MimeMessage> found = new ArrayList<>();
    for (MimeMessage message : smtp.getReceivedMessages()) {
      if (message.getAllRecipients()[0].toString().equals(to)
          && template.equals(message.getHeader("X-VideoShop-Template", null))) {
        found.add(message);
      }
    }
    return found;
  }

  /** The text/plain or text/html part of a mail. */
  private static String part(Part part, String type) throws Exception {
    if (part.isMimeType(type)) return (String) part.getContent();
    if (part.getContent() instanceof Multipart multipart) {
      for (int i = 0; i < multipart.getCount(); i++) {
        String found = part(multipart.getBodyPart(i), type);
        if (found != null) return found;
      }
    }
    return null;
  }

  private boolean send(Mails.Mail mail) {
    Mails mails = platform.node.platform().mails;
    return platform.node.platform().jdbi.<Boolean, RuntimeException>inTransaction(handle -> mails.send(handle, mail));
  }

  private static String link(MimeMessage mail) throws Exception {
    Matcher matcher = LINK.matcher(part(mail, "text/plain"));
    assertThat(matcher.find()).as("a link in the mail").isTrue();
    return matcher.group(1);
  }

  @Test
  void anInvitationArrivesInTheInviteesLanguageWithTheTenantsBrandingAndALinkThatWorks() throws Exception {
    ApiClient.Reply branded = api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/mail-settings").bearer(tenant.ownerToken())
        .body(Map.of("senderName", "Links Outdoor", "replyTo", "help@links.example", "colour", "#AA3300")).send();
    assertThat(branded.status()).as("%s", branded).isEqualTo(200);
    assertThat(api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/mail-settings").bearer(tenant.ownerToken())
        .body(Map.of("colour", "red;}")).send().json().at("/errors/0/code").asText()).isEqualTo("invalid_colour");

    ApiClient.Reply invited = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/invitations").bearer(tenant.ownerToken())
        .body(Map.of("email", "neu@links.test", "role", "agent", "language", "de")).send();
    assertThat(invited.status()).as("%s", invited).isEqualTo(201);

    MimeMessage mail = awaitMail("neu@links.test", "invitation");
    assertThat(mail.getSubject()).isEqualTo("Einladung zu Links Outdoor auf VideoShop");
    assertThat(mail.getFrom()[0].toString()).startsWith("Links Outdoor <");
    assertThat(mail.getReplyTo()[0].toString()).contains("help@links.example");
    assertThat(part(mail, "text/html")).contains("#aa3300").contains("Einladung annehmen");
    assertThat(mail.getHeader("List-Unsubscribe")).isNull();

    String link = link(mail);
    assertThat(link).startsWith("/account/invitation#token=inv_");
    URI uri = URI.create(link);
    ApiClient.Reply page = api.call("GET", uri.getPath()).send();
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("/api/v1/invitations/accept");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    String token = uri.getFragment().substring("token=".length());
    ApiClient.Reply accepted = api.call("POST", "/api/v1/invitations/accept")
        .body(Map.of("token", token, "displayName", "Neu", "password", TestPlatform.PASSWORD)).send();
    assertThat(accepted.status()).as("%s", accepted).isEqualTo(201);
    // The invitee's language stays theirs.
    String agent = platform.login("neu@links.test", TestPlatform.PASSWORD);
    assertThat(api.call("GET", "/api/v1/me/notification-preferences").bearer(agent).send().json().get("language").asText())
        .isEqualTo("de");
  }

  @Test
  void aResetMailsALinkThatSetsTheNewPasswordAndASecondResetVoidsTheFirst() throws Exception {
    String email = "agent@links.test";
    for (int i = 0; i < 2; i++) {
      assertThat(api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", email)).send().status()).isEqualTo(202);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> all(smtp, email, "password_reset").size() == 2);
    List<MimeMessage> resets = all(smtp, email, "password_reset");
    String first = URI.create(link(resets.get(0))).getFragment().substring("token=".length());
    String second = URI.create(link(resets.get(1))).getFragment().substring("token=".length());
    assertThat(link(resets.get(1))).startsWith("/account/password-reset#token=rst_");
    assertThat(api.call("GET", "/account/password-reset").send().body()).contains("/api/v1/auth/password-reset/confirm");

    ApiClient.Reply stale = api.call("POST", "/api/v1/auth/password-reset/confirm")
        .body(Map.of("token", first, "password", "a brand new password")).send();
    assertThat(stale.code()).isEqualTo("invalid_reset_token");
    ApiClient.Reply confirmed = api.call("POST", "/api/v1/auth/password-reset/confirm")
        .body(Map.of("token", second, "password", "a brand new password")).send();
    assertThat(confirmed.status()).as("%s", confirmed).isEqualTo(204);
    assertThat(platform.login(email, "a brand new password")).isNotBlank();
    MimeMessage changed = awaitMail(email, "password_changed");
    assertThat(changed.getSubject()).isEqualTo("Your password was changed");
  }

  @Test
  void resetsAreLimitedPerAccountAndPerClientAddress() {
    String email = "nobody-" + System.nanoTime() + "@links.test"; // no account: the limit reveals nothing
    for (int i = 0; i < 3; i++) {
      assertThat(api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", email)).send().status()).isEqualTo(202);
    }
    ApiClient.Reply limited = api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", email)).send();
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.code()).isEqualTo("too_many_resets");
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    // Fresh addresses from the same client: the per-address limit (12 in this test) stops them too.
    int accepted = 0;
    ApiClient.Reply reply;
    do {
      reply = api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", "x" + accepted + "-" + System.nanoTime()
          + "@links.test")).send();
      if (reply.status() == 202) accepted++;
    } while (reply.status() == 202 && accepted < 20);
    assertThat(reply.code()).isEqualTo("too_many_resets");
    assertThat(accepted).isLessThan(12);
  }

  @Test
  void nonEssentialMailCarriesAOneClickUnsubscribeThatWorksWithoutAnAccount() throws Exception {
    Mails.Mail summary = new Mails.Mail(tenant.id(), "shopper-1", "shopper@else.test", "en", "call_summary",
        Map.of("agentName", "Alex", "products", List.of(Map.of("name", "Trail shoe", "url", "https://shop/p/1"))));
    assertThat(send(summary)).isTrue();
    MimeMessage mail = awaitMail("shopper@else.test", "call_summary");
    assertThat(part(mail, "text/plain")).contains("Trail shoe: https://shop/p/1").contains("Alex");
    String header = mail.getHeader("List-Unsubscribe", null);
    assertThat(header).startsWith("<" + BASE + "/api/v1/unsubscribe?token=uns_");
    assertThat(mail.getHeader("List-Unsubscribe-Post", null)).isEqualTo("List-Unsubscribe=One-Click");
    URI oneClick = URI.create(header.substring(1, header.length() - 1));
    assertThat(api.call("GET", "/unsubscribe").send().body()).contains("method: 'POST'");
    // As a mail program does it (RFC 8058): a form POST with List-Unsubscribe=One-Click.
    var oneClickRequest = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + platform.node.httpPort()
            + oneClick.getPath() + "?" + oneClick.getRawQuery()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build();
    var unsubscribed = java.net.http.HttpClient.newHttpClient().send(oneClickRequest,
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(unsubscribed.statusCode()).as("%s", unsubscribed.body()).isEqualTo(200);
    assertThat(api.call("POST", "/api/v1/unsubscribe?token=uns_forged").send().code()).isEqualTo("invalid_unsubscribe_token");

    assertThat(send(summary)).isFalse();
    // Essential mail still reaches the same address; another tenant's summaries too.
    assertThat(send(new Mails.Mail(null, "x",
        "shopper@else.test", "en", "password_changed", Map.of("at", "now")))).isTrue();
    awaitMail("shopper@else.test", "password_changed");
    assertThat(all(smtp, "shopper@else.test", "call_summary")).hasSize(1);
  }

  @Test
  void everyMailFallsBackToEnglishAndEveryNonEssentialOneCarriesListUnsubscribe() throws Exception {
    assertThat(MailTemplates.ALL.stream().filter(template -> !template.essential()).map(MailTemplates.Template::name))
        .containsExactlyInAnyOrder("call_summary", "low_balance", "webhook_disabled", "trial_ending");
    for (MailTemplates.Template template : MailTemplates.ALL) {
      // A language without templates (Portuguese): English, the fallback.
      assertThat(send(new Mails.Mail(tenant.id(), "sample", template.name().replace('_', '-') + "@every.test", "pt-BR",
          template.name(), template.sample()))).as(template.name()).isTrue();
    }
    for (MailTemplates.Template template : MailTemplates.ALL) {
      MimeMessage mail = awaitMail(template.name().replace('_', '-') + "@every.test", template.name());
      String header = mail.getHeader("List-Unsubscribe", null);
      assertThat(part(mail, "text/html")).as(template.name()).contains("<html lang=\"en\"");
      if (template.essential()) {
        assertThat(header).as("%s is essential: no unsubscribe", template.name()).isNull();
        assertThat(mail.getHeader("List-Unsubscribe-Post")).as(template.name()).isNull();
        assertThat(part(mail, "text/plain")).as(template.name()).doesNotContain("/unsubscribe");
      } else {
        assertThat(header).as(template.name()).startsWith("<" + BASE + "/api/v1/unsubscribe?token=uns_");
        assertThat(mail.getHeader("List-Unsubscribe-Post", null)).as(template.name())
            .isEqualTo("List-Unsubscribe=One-Click");
        assertThat(part(mail, "text/plain")).as(template.name()).contains(BASE + "/unsubscribe?token=uns_");
        // In the HTML body the link's "=" is an entity (&#61;), as Mustache escapes values.
        assertThat(part(mail, "text/html")).as(template.name())
            .containsPattern(Pattern.quote(BASE + "/unsubscribe?token") + "(=|&#61;)uns_");
      }
    }
  }

  @Test
  void aUserOptsOutOfNonEssentialMailThroughTheirPreferences() {
    ApiClient.Reply bad = api.call("PUT", "/api/v1/me/notification-preferences").bearer(tenant.adminToken())
        .body(Map.of("language", "fr", "nonEssentialMail", false, "nonEssentialPush", true, "newSignInMail", false)).send();
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().at("/errors/0/code").asText()).isEqualTo("unsupported_language");
    ApiClient.Reply saved = api.call("PUT", "/api/v1/me/notification-preferences").bearer(tenant.adminToken())
        .body(Map.of("language", "en", "nonEssentialMail", false, "nonEssentialPush", false, "newSignInMail", true)).send();
    assertThat(saved.status()).as("%s", saved).isEqualTo(200);
    Mails mails = platform.node.platform().mails;
    assertThat(send(new Mails.Mail(tenant.id(),
        "user:" + tenant.adminId(), "admin@links.test", "en", "low_balance",
        Map.of("minutesLeft", 5, "topUpLink", BASE)))).isFalse();
  }

  @Test
  void anAdminPreviewsEveryTemplateInEveryLanguageButAnAgentMayNot() {
    ApiClient.Reply list = api.call("GET", "/api/v1/tenants/" + tenant.id() + "/mail-templates").bearer(tenant.adminToken()).send();
    assertThat(list.status()).isEqualTo(200);
    // Every template there is, among them each mail the product sends (issue #10, point 3).
    assertThat(list.json().findValuesAsText("name")).containsExactlyElementsOf(
        MailTemplates.ALL.stream().map(MailTemplates.Template::name).toList());
    assertThat(list.json().findValuesAsText("name")).contains("invitation", "password_reset", "password_changed",
        "new_sign_in", "booking_confirmation", "booking_changed", "booking_cancelled", "booking_reminder",
        "call_summary", "low_balance", "trial_ending");
    JsonNode settings = api.call("GET", "/api/v1/tenants/" + tenant.id() + "/mail-settings").bearer(tenant.adminToken())
        .send().json();
    String colour = settings.hasNonNull("colour") ? settings.get("colour").asText() : Mails.DEFAULT_COLOUR;
    String senderName = settings.hasNonNull("senderName") ? settings.get("senderName").asText() : "Shop links";
    for (var template : list.json()) {
      for (String language : List.of("en", "de")) {
        ApiClient.Reply preview = api.call("GET", "/api/v1/tenants/" + tenant.id() + "/mail-templates/"
            + template.get("name").asText() + "/preview?language=" + language).bearer(tenant.adminToken()).send();
        assertThat(preview.status()).as("%s", preview).isEqualTo(200);
        assertThat(preview.json().get("subject").asText()).isNotBlank().doesNotContain("{{");
        assertThat(preview.json().get("html").asText()).contains("<html lang=\"" + language + "\"");
        assertThat(preview.json().get("text").asText()).doesNotContain("{{").contains(senderName);
        assertThat(preview.json().get("html").asText()).as("the tenant's colour").contains(colour);
        assertThat(preview.json().get("essential").asBoolean()).isEqualTo(template.get("essential").asBoolean());
      }
    }
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id() + "/mail-templates/nope/preview")
        .bearer(tenant.adminToken()).send().code()).isEqualTo("unknown_mail_template");
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id() + "/mail-templates/invitation/preview?language=fr")
        .bearer(tenant.adminToken()).send().json().at("/errors/0/code").asText()).isEqualTo("unsupported_language");
    assertThat(api.call("GET", "/api/v1/tenants/" + tenant.id() + "/mail-templates/invitation/preview")
        .bearer(tenant.agentToken()).send().status()).isEqualTo(403);
  }

  @Test
  void noLogLineCarriesATokenPasswordOrMailBodyThroughSetupInviteResetAndSignIn() throws Exception {
    String password = "log-test password 1";
    // Setup: a node without an operator writes its token to an owner-only file, not to the log.
    Path tokenFile = Files.createTempDirectory("setup").resolve("setup-token");
    VideoShopNode fresh = TestNodes.start(TestDatabase.h2InMemory(), "videoshop.bootstrap.setup-token-file = \""
        + tokenFile.toString().replace("\\", "/") + "\"\nvideoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"");
    String setupToken;
    try {
      setupToken = Files.readString(tokenFile).trim();
      assertThat(setupToken).startsWith("setup_");
      assertThat(Files.getPosixFilePermissions(tokenFile))
          .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
      assertThat(logs.lines()).anyMatch(line -> line.contains(tokenFile.toString()));
      ApiClient freshApi = new ApiClient(fresh.httpPort());
      ApiClient.Reply created = freshApi.call("POST", "/api/v1/setup").body(Map.of("token", setupToken,
          "email", "root@logs.test", "password", password, "displayName", "Root")).send();
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      assertThat(tokenFile).doesNotExist();
    } finally {
      fresh.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    // Invite, accept, sign in, reset, confirm, sign in again, on the SMTP node.
    api.call("POST", "/api/v1/tenants/" + tenant.id() + "/invitations").bearer(tenant.ownerToken())
        .body(Map.of("email", "logs@links.test", "role", "agent")).send();
    String invitation = URI.create(link(awaitMail("logs@links.test", "invitation"))).getFragment().substring(6);
    assertThat(api.call("POST", "/api/v1/invitations/accept").body(Map.of("token", invitation, "displayName", "Logs",
        "password", password)).send().status()).isEqualTo(201);
    String access = platform.login("logs@links.test", password);
    api.call("POST", "/api/v1/auth/password-reset").body(Map.of("email", "logs@links.test")).send();
    String reset = URI.create(link(awaitMail("logs@links.test", "password_reset"))).getFragment().substring(6);
    String newPassword = "log-test password 2";
    assertThat(api.call("POST", "/api/v1/auth/password-reset/confirm").body(Map.of("token", reset, "password", newPassword))
        .send().status()).isEqualTo(204);
    ApiClient.Reply login = api.call("POST", "/api/v1/auth/login")
        .body(Map.of("email", "logs@links.test", "password", newPassword)).send();
    assertThat(login.status()).isEqualTo(200);
    awaitMail("logs@links.test", "password_changed");

    List<String> secrets = new ArrayList<>(List.of(setupToken, invitation, reset, password, newPassword, access,
        login.json().get("accessToken").asText(), login.json().get("refreshToken").asText()));
    List<String> bodies = List.of("choose your password here", "Set a new password here", "was changed at");
    List<String> lines = logs.lines();
    assertThat(lines).as("the capture saw the node at work").hasSizeGreaterThan(10);
    for (String line : lines) {
      for (String secret : secrets) assertThat(line).as("a log line").doesNotContain(secret);
      for (String body : bodies) assertThat(line).as("a log line").doesNotContain(body);
      assertThat(line).doesNotContainPattern("(inv|rst|setup|uns)_[A-Za-z0-9_-]{20,}");
    }
    // and nothing of it in clear in the outbox
    List<String> payloads = platform.node.platform().jdbi.withHandle(handle -> handle.createQuery(
        "SELECT coalesce(payload, '') FROM outbox").mapTo(String.class).list());
    for (String payload : payloads) {
      for (String secret : secrets) assertThat(payload).doesNotContain(secret);
      assertThat(payload).doesNotContain("@links.test");
    }
    assertThat(Arrays.asList(smtp.getReceivedMessages())).isNotEmpty();
  }

  @Test
  void aSignInFromANewDeviceMailsAUserWhoAskedForIt() throws Exception {
    String firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    ApiClient.Reply chosen = api.call("PUT", "/api/v1/me/notification-preferences").bearer(tenant.agentToken())
        .body(Map.of("language", "en", "nonEssentialMail", true, "nonEssentialPush", true, "newSignInMail", true)).send();
    assertThat(chosen.status()).as("%s", chosen).isEqualTo(200);
    for (int i = 0; i < 2; i++) {
      assertThat(api.call("POST", "/api/v1/auth/login").header("User-Agent", firefox)
          .body(Map.of("email", "agent@links.test", "password", TestPlatform.PASSWORD)).send().status()).isEqualTo(200);
    }
    MimeMessage notice = awaitMail("agent@links.test", "new_sign_in");
    assertThat(part(notice, "text/plain")).contains("Firefox on Linux");
    // The owner did not ask: a new device signs in without a mail.
    assertThat(api.call("POST", "/api/v1/auth/login").header("User-Agent", firefox)
        .body(Map.of("email", "owner@links.test", "password", TestPlatform.PASSWORD)).send().status()).isEqualTo(200);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
        all(smtp, "agent@links.test", "new_sign_in").size() == 1 && all(smtp, "owner@links.test", "new_sign_in").isEmpty());
  }
}
