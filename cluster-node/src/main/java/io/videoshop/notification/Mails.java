package io.videoshop.notification;

import io.videoshop.access.Secrets;
import io.videoshop.config.NotificationSettings;
import io.videoshop.http.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Transactional mail for the domains: {@link #send} queues a mail in the caller's transaction
 * (as an encrypted outbox row), after the recipient's preferences; the {@link MailChannel}
 * renders and delivers it. Also a tenant's mail branding, the opt-outs and the preview.
 * Blocking: call on a blocking dispatcher.
 */
public final class Mails {
  private static final Pattern COLOUR = Pattern.compile("#[0-9a-fA-F]{6}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s]{1,63}");
  public static final String DEFAULT_COLOUR = "#2f6fed";

  private final Jdbi jdbi;
  private final Outbox outbox;
  private final MailTemplates templates;
  private final NotificationSettings.Mail settings;
  private final Clock clock;
  private volatile Runnable afterEnqueue = () -> {};

  public Mails(Jdbi jdbi, Outbox outbox, MailTemplates templates, NotificationSettings.Mail settings, Clock clock) {
    this.jdbi = jdbi;
    this.outbox = outbox;
    this.templates = templates;
    this.settings = settings;
    this.clock = clock;
  }

  /** Called after each mail queued through a handle commits (the node's workers look at once, not at their next poll). */
  public void afterEnqueue(Runnable hook) {
    this.afterEnqueue = hook;
  }

  /** One mail to send. {@code subjectId}: the data subject it is about (its payload is encrypted for it). */
  public record Mail(String tenantId, String subjectId, String to, String language, String template,
      Map<String, Object> values) {
    @Override
    public String toString() {
      return "Mail[template=" + template + ", tenant=" + tenantId + "]";
    }
  }

  /** Queues the mail in the caller's transaction; false when the recipient opted out of it. */
  public boolean send(Handle handle, Mail mail) {
    try {
      boolean queued = send(handle.getConnection(), mail, null);
      // The workers can see the row once it is committed: wake them then, not before.
      if (queued && handle.isInTransaction()) handle.afterCommit(afterEnqueue);
      else if (queued) afterEnqueue.run();
      return queued;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot queue mail", e);
    }
  }

  /** As {@link #send(Handle, Mail)} over a projection's connection. */
  public boolean send(Connection connection, Mail mail) throws SQLException {
    return send(connection, mail, null);
  }

  /** As {@link #send(Connection, Mail)}; a set dedup key makes a repeated mail a no-op. */
  public boolean send(Connection connection, Mail mail, String dedupKey) throws SQLException {
    return send(connection, mail, dedupKey, List.of(), null);
  }

  /**
   * As {@link #send(Connection, Mail, String)} with attachments (stored encrypted with the rest of
   * the mail) and, when {@code dueAt} is set, not delivered before then (a reminder).
   */
  public boolean send(Connection connection, Mail mail, String dedupKey, List<MailMessage.Attachment> attachments,
      Instant dueAt) throws SQLException {
    MailTemplates.Template template = MailTemplates.find(mail.template())
        .orElseThrow(() -> new IllegalArgumentException("no mail template " + mail.template()));
    if (dedupKey != null && outbox.seen(connection, dedupKey)) return false;
    String address = mail.to().trim().toLowerCase(Locale.ROOT);
    String unsubscribeToken = null;
    if (!template.essential()) {
      if (mail.tenantId() != null && optedOut(connection, mail.tenantId(), address)) return false;
      if (mail.tenantId() != null) unsubscribeToken = newUnsubscribeToken(connection, mail.tenantId(), address);
    }
    String payload = Json.write(new MailMessage(address, MailTemplates.language(mail.language()), template.name(),
        mail.values(), unsubscribeToken, attachments));
    Outbox.Draft draft = Outbox.Draft.of(Outbox.MAIL, template.name(), mail.tenantId(), mail.subjectId(), payload);
    // Over a bare connection (a projection's) nobody wakes the workers: they look at their next poll.
    return outbox.enqueue(connection, dedupKey == null ? draft : draft.withDedupKey(dedupKey), dueAt).isPresent();
  }

  /** Withdraws this domain's pending mail by dedup key prefix (see {@link Outbox#withdraw}). */
  public int withdraw(Connection connection, String dedupKeyPrefix) throws SQLException {
    return outbox.withdraw(connection, dedupKeyPrefix);
  }

  /** A tenant's active owners (id, email, language or null): who gets the tenant's own mail. */
  public record Owner(String id, String email, String language) {}

  public static List<Owner> owners(Connection connection, String tenantId) throws SQLException {
    List<Owner> owners = new java.util.ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement("""
        SELECT u.id, u.email, p.language FROM users u LEFT JOIN user_notification_preferences p ON p.user_id = u.id
        WHERE u.tenant_id = ? AND u.role = 'owner' AND u.status = 'active' ORDER BY u.id""")) {
      select.setString(1, tenantId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) owners.add(new Owner(rows.getString(1), rows.getString(2), rows.getString(3)));
      }
    }
    return owners;
  }

  /** An absolute link into the platform for a mail, e.g. {@code link("/account/invitation")}. */
  public String link(String path) {
    return settings.publicBaseUrl() + path;
  }

  private boolean optedOut(Connection connection, String tenantId, String address) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT 1 FROM mail_opt_outs WHERE tenant_id = ? AND address_hash = ?")) {
      select.setString(1, tenantId);
      select.setString(2, Secrets.sha256(address));
      try (ResultSet rows = select.executeQuery()) {
        return rows.next();
      }
    }
  }

  private String newUnsubscribeToken(Connection connection, String tenantId, String address) throws SQLException {
    String token = Secrets.newSecret("uns_");
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO mail_unsubscribe_tokens (token_hash, tenant_id, address_hash, created_at) VALUES (?, ?, ?, ?)""")) {
      insert.setString(1, Secrets.sha256(token));
      insert.setString(2, tenantId);
      insert.setString(3, Secrets.sha256(address));
      insert.setTimestamp(4, Timestamp.from(clock.instant()));
      insert.executeUpdate();
    }
    return token;
  }

  /** Opts the link's address out of its tenant's non-essential mail; works without an account, repeatably. */
  public void unsubscribe(String token) {
    if (token == null || token.isBlank() || token.length() > 200) {
      throw new NotificationRefused(NotificationRefused.Reason.INVALID, "invalid_unsubscribe_token", "token",
          "The unsubscribe link is not valid");
    }
    jdbi.useTransaction(handle -> {
      var row = handle.createQuery("SELECT tenant_id, address_hash FROM mail_unsubscribe_tokens WHERE token_hash = :h")
          .bind("h", Secrets.sha256(token)).map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).findOne()
          .orElseThrow(() -> new NotificationRefused(NotificationRefused.Reason.NOT_FOUND, "invalid_unsubscribe_token",
              "token", "The unsubscribe link is not valid"));
      int known = handle.createQuery("SELECT count(*) FROM mail_opt_outs WHERE tenant_id = :t AND address_hash = :a")
          .bind("t", row[0]).bind("a", row[1]).mapTo(Integer.class).one();
      if (known == 0) {
        handle.createUpdate("INSERT INTO mail_opt_outs (tenant_id, address_hash, opted_out_at) VALUES (:t, :a, :now)")
            .bind("t", row[0]).bind("a", row[1]).bind("now", clock.instant()).execute();
      }
    });
  }

  /** A user's own opt-out of their tenant's non-essential mail (or taking it back). */
  public void setOptOut(Handle handle, String tenantId, String address, boolean optedOut) {
    String hash = Secrets.sha256(address.trim().toLowerCase(Locale.ROOT));
    handle.createUpdate("DELETE FROM mail_opt_outs WHERE tenant_id = :t AND address_hash = :a")
        .bind("t", tenantId).bind("a", hash).execute();
    if (optedOut) {
      handle.createUpdate("INSERT INTO mail_opt_outs (tenant_id, address_hash, opted_out_at) VALUES (:t, :a, :now)")
          .bind("t", tenantId).bind("a", hash).bind("now", clock.instant()).execute();
    }
  }

  // ---- branding ----

  /** A tenant's mail settings as the API shows them; null fields: the defaults. */
  public record MailSettings(String senderName, String replyTo, String colour) {}

  public MailSettings settingsOf(String tenantId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT sender_name, reply_to, colour FROM tenant_mail_settings WHERE tenant_id = :t")
        .bind("t", tenantId).map((rs, ctx) -> new MailSettings(rs.getString(1), rs.getString(2), rs.getString(3)))
        .findOne().orElse(new MailSettings(null, null, null)));
  }

  /** Replaces a tenant's mail settings after checking every field; nothing changes on a bad one. */
  public MailSettings replaceSettings(Handle handle, String tenantId, MailSettings request) {
    String name = request.senderName() == null ? null : request.senderName().trim();
    if (name != null && (name.isEmpty() || name.length() > 200 || name.matches(".*[\\r\\n<>\"].*"))) {
      throw new NotificationRefused(NotificationRefused.Reason.INVALID, "invalid_sender_name", "senderName",
          "must be 1 to 200 characters without line breaks, quotes or angle brackets");
    }
    String replyTo = request.replyTo() == null ? null : request.replyTo().trim().toLowerCase(Locale.ROOT);
    if (replyTo != null && (replyTo.length() > 320 || !EMAIL.matcher(replyTo).matches())) {
      throw new NotificationRefused(NotificationRefused.Reason.INVALID, "invalid_email", "replyTo",
          "must be an email address");
    }
    if (request.colour() != null && !COLOUR.matcher(request.colour()).matches()) {
      throw new NotificationRefused(NotificationRefused.Reason.INVALID, "invalid_colour", "colour",
          "must be a colour like #2f6fed");
    }
    MailSettings settings = new MailSettings(name, replyTo, request.colour() == null ? null : request.colour().toLowerCase(Locale.ROOT));
    handle.createUpdate("DELETE FROM tenant_mail_settings WHERE tenant_id = :t").bind("t", tenantId).execute();
    handle.createUpdate("""
            INSERT INTO tenant_mail_settings (tenant_id, sender_name, reply_to, colour, updated_at)
            VALUES (:t, :name, :replyTo, :colour, :now)""")
        .bind("t", tenantId).bind("name", settings.senderName()).bind("replyTo", settings.replyTo())
        .bind("colour", settings.colour()).bind("now", clock.instant()).execute();
    return settings;
  }

  /** The branding a tenant's mail is rendered with (the platform's own for mail without a tenant). */
  public MailTemplates.Branding branding(String tenantId) {
    if (tenantId == null) return new MailTemplates.Branding(settings.fromName(), null, DEFAULT_COLOUR);
    return jdbi.withHandle(handle -> {
      Optional<String> tenantName = handle.createQuery("SELECT name FROM tenants WHERE id = :t").bind("t", tenantId)
          .mapTo(String.class).findOne();
      MailSettings own = handle.createQuery(
              "SELECT sender_name, reply_to, colour FROM tenant_mail_settings WHERE tenant_id = :t")
          .bind("t", tenantId).map((rs, ctx) -> new MailSettings(rs.getString(1), rs.getString(2), rs.getString(3)))
          .findOne().orElse(new MailSettings(null, null, null));
      String name = own.senderName() != null ? own.senderName() : tenantName.orElse(settings.fromName());
      return new MailTemplates.Branding(name, own.replyTo(), own.colour() != null ? own.colour() : DEFAULT_COLOUR);
    });
  }

  // ---- preview ----

  /** A template rendered with its sample values and the tenant's branding, as a recipient would see it. */
  public record Preview(String template, String language, boolean essential, String subject, String text, String html) {}

  public Preview preview(String tenantId, String template, String language) {
    MailTemplates.Template found = MailTemplates.find(template)
        .orElseThrow(() -> new NotificationRefused(NotificationRefused.Reason.NOT_FOUND, "unknown_mail_template",
            "template", "No mail template \"" + template + "\""));
    if (language != null && !MailTemplates.LANGUAGES.contains(language)) {
      throw new NotificationRefused(NotificationRefused.Reason.INVALID, "unsupported_language", "language",
          "must be one of " + MailTemplates.LANGUAGES);
    }
    String chosen = MailTemplates.language(language);
    MailTemplates.Rendered rendered = templates.render(found.name(), chosen, found.sample(), branding(tenantId),
        found.essential() ? null : link("/unsubscribe?token=uns_sample"));
    return new Preview(found.name(), chosen, found.essential(), rendered.subject(), rendered.text(), rendered.html());
  }

  Instant now() {
    return clock.instant();
  }
}
