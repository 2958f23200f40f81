package io.videoshop.notification;

import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.queue.TenantQueue;
import io.videoshop.queue.TicketDetails;
import io.videoshop.room.CallRoom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The call summary mail to a shopper who consented (the products shown, with links; the agent's
 * name). Fed from two exactly-once projections, each in its own transaction: the queue's
 * ({@link #apply(Connection, String, TenantQueue.Event)}: the consenting shopper's encrypted email
 * and language) and the room's ({@link #apply(Connection, String, long, CallRoom.Event)}: the
 * room, the call's start, the products, its end). They meet in {@code call_summaries}, one row per
 * ticket; whichever side completes it queues the mail, so the order of the two projections does
 * not matter. Both sides write the same row first, so a concurrent second side waits for the
 * first to commit and then sees it. A replay is harmless: the rows are written idempotently and
 * the outbox ignores a second mail with the same dedup key.
 */
public final class CallSummaries {
  public static final String TEMPLATE = "call_summary";
  /** A replay over an old journal does not mail about calls long past. */
  static final Duration TOO_OLD = Duration.ofDays(1);

  private final Mails mails;
  private final PersonalDataVault vault;

  public CallSummaries(Mails mails, PersonalDataVault vault) {
    this.mails = mails;
    this.vault = vault;
  }

  /**
   * The queue's side: remembers a shopper who consented and gave an email, and the email as an
   * owner or admin corrected it (a summary not sent yet goes to the corrected address; one
   * removed sends none).
   */
  public void apply(Connection connection, String tenantId, TenantQueue.Event event) throws SQLException {
    String ticketId;
    TicketDetails details;
    if (event instanceof TenantQueue.TicketJoined joined) {
      ticketId = joined.ticket().ticketId();
      details = joined.ticket().details();
    } else if (event instanceof TenantQueue.TicketDetailsCorrected corrected) {
      ticketId = corrected.ticketId();
      details = corrected.details();
      if (details != null && details.email() == null) {
        update(connection, "UPDATE call_summaries SET email_ciphertext = NULL WHERE ticket_id = ?", ticketId);
        return;
      }
    } else {
      return;
    }
    if (details == null || !details.consent() || details.email() == null) return;
    ensureRow(connection, ticketId);
    update(connection, """
        UPDATE call_summaries SET tenant_id = ?, subject_id = ?, email_ciphertext = ?, language = ? WHERE ticket_id = ?""",
        tenantId, details.subjectId(), details.email().ciphertext(), details.language(), ticketId);
    sendWhenComplete(connection, ticketId);
  }

  /** The room's side: which room served the ticket, whether its call started, what was shown, when it ended. */
  public void apply(Connection connection, String roomId, long seqNr, CallRoom.Event event) throws SQLException {
    if (event instanceof CallRoom.RoomOpened opened) {
      ensureRow(connection, opened.ticketId());
      update(connection, """
          UPDATE call_summaries SET tenant_id = ?, room_id = ?, agent_id = ?, started = FALSE, ended_at = NULL
          WHERE ticket_id = ?""", opened.tenantId(), roomId, opened.agentId(), opened.ticketId());
    } else if (event instanceof CallRoom.CallStarted) {
      update(connection, "UPDATE call_summaries SET started = TRUE WHERE room_id = ?", roomId);
    } else if (event instanceof CallRoom.ProductShown shown) {
      update(connection, """
          INSERT INTO call_summary_products (room_id, seq_nr, name, url)
          SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM call_summary_products WHERE room_id = ? AND seq_nr = ?)""",
          roomId, seqNr, shown.product().title(), shown.product().productUrl(), roomId, seqNr);
    } else if (event instanceof CallRoom.CallEnded ended) {
      String ticketId = ticketOf(connection, roomId);
      if (ticketId == null) return;
      update(connection, "UPDATE call_summaries SET ended_at = ? WHERE ticket_id = ?", Timestamp.from(ended.at()), ticketId);
      sendWhenComplete(connection, ticketId);
    }
  }

  private void sendWhenComplete(Connection connection, String ticketId) throws SQLException {
    String tenantId, subjectId, ciphertext, language, roomId, agentId;
    boolean started;
    Timestamp endedAt;
    try (PreparedStatement select = connection.prepareStatement("""
        SELECT tenant_id, subject_id, email_ciphertext, language, room_id, agent_id, started, ended_at
        FROM call_summaries WHERE ticket_id = ?""")) {
      select.setString(1, ticketId);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) return;
        tenantId = row.getString(1);
        subjectId = row.getString(2);
        ciphertext = row.getString(3);
        language = row.getString(4);
        roomId = row.getString(5);
        agentId = row.getString(6);
        started = row.getBoolean(7);
        endedAt = row.getTimestamp(8);
      }
    }
    if (ciphertext == null || roomId == null || !started || endedAt == null) return;
    if (endedAt.toInstant().isBefore(mails.now().minus(TOO_OLD))) return;
    // Decrypted only now, to check the opt-out and address the mail; the outbox stores it encrypted again.
    DecryptedPersonalData email = vault.decrypt(new EncryptedPersonalData(subjectId, ciphertext));
    if (email.erased() || email.value() == null || email.value().isBlank()) return;
    // A withdrawn consent stops the mail it covered.
    if (!io.videoshop.privacy.Consents.allows(connection, vault, subjectId, io.videoshop.privacy.Consents.CALL_SUMMARY_MAIL)) {
      return;
    }
    Map<String, Object> values = Map.of("agentName", agentName(connection, agentId), "products", products(connection, roomId));
    mails.send(connection, new Mails.Mail(tenantId, subjectId, email.value(), language, TEMPLATE, values),
        "call-summary:" + roomId);
  }

  private static void ensureRow(Connection connection, String ticketId) throws SQLException {
    update(connection, """
        INSERT INTO call_summaries (ticket_id) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM call_summaries WHERE ticket_id = ?)""",
        ticketId, ticketId);
  }

  private static String ticketOf(Connection connection, String roomId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT ticket_id FROM call_summaries WHERE room_id = ?")) {
      select.setString(1, roomId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private static String agentName(Connection connection, String agentId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT display_name FROM users WHERE id = ?")) {
      select.setString(1, agentId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getString(1) : "";
      }
    }
  }

  private static List<Map<String, Object>> products(Connection connection, String roomId) throws SQLException {
    List<Map<String, Object>> products = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT name, url FROM call_summary_products WHERE room_id = ? ORDER BY seq_nr")) {
      select.setString(1, roomId);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Map<String, Object> product = new HashMap<>();
          product.put("name", rows.getString(1));
          if (rows.getString(2) != null) product.put("url", rows.getString(2));
          products.add(product);
        }
      }
    }
    return products;
  }

  private static void update(Connection connection, String sql, Object... values) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] == null) statement.setNull(i + 1, Types.VARCHAR); else statement.setObject(i + 1, values[i]);
      }
      statement.executeUpdate();
    }
  }
}
