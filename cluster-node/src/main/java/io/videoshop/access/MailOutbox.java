package io.videoshop.access;

import java.time.Clock;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactional mail, written to {@code outbox_mail} in the same transaction as what causes it
 * (an invitation, a reset), so a mail is never promised without its cause nor the other way
 * round. Until the Notifications issue adds SMTP delivery with retries, each mail is also logged.
 */
public final class MailOutbox {
  private static final Logger log = LoggerFactory.getLogger(MailOutbox.class);
  private final Clock clock;

  public MailOutbox(Clock clock) {
    this.clock = clock;
  }

  public void enqueue(Handle handle, String tenantId, String recipient, String subject, String body) {
    handle.createUpdate("""
            INSERT INTO outbox_mail (tenant_id, recipient, subject, body, created_at, attempts)
            VALUES (:tenantId, :recipient, :subject, :body, :now, 0)""")
        .bind("tenantId", tenantId).bind("recipient", recipient).bind("subject", subject).bind("body", body)
        .bind("now", clock.instant())
        .execute();
    log.info("Mail to {} (delivery by SMTP comes with notifications; logged instead): {}\n{}", recipient, subject, body);
  }
}
