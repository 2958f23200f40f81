package io.videoshop.notification;

import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The one durable outbox (table {@code outbox}) for everything the platform sends. A message is
 * written in the transaction of its cause ({@link #enqueue(Handle, Draft)}) or of an exactly-once
 * projection ({@link #enqueue(Connection, Draft)}), encrypted with the personal-data vault. The
 * {@link DeliveryWorkers} of every node claim due rows with a lease, hand them to the
 * {@link Channel} of their kind and record the outcome here. A finished row (delivered, dead or
 * gone) keeps no payload. Blocking: call on a blocking dispatcher.
 */
public final class Outbox {
  public static final String MAIL = "mail";
  public static final String PUSH = "push";
  public static final String WEBHOOK = "webhook";

  public static final String PENDING = "pending";
  public static final String DELIVERED = "delivered";
  public static final String DEAD = "dead";
  public static final String GONE = "gone";

  /** The dialect decides how rows are claimed: PostgreSQL skips rows another node is claiming. */
  public enum Dialect {
    POSTGRES,
    H2
  }

  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final Clock clock;
  private final Dialect dialect;

  public Outbox(Jdbi jdbi, PersonalDataVault vault, Clock clock, Dialect dialect) {
    this.jdbi = jdbi;
    this.vault = vault;
    this.clock = clock;
    this.dialect = dialect;
  }

  /**
   * What to send. The payload is the channel's own format (mail: {@link MailMessage} as JSON) and
   * is stored encrypted under {@code subjectId}, the data subject it is about, so erasing the
   * subject also shreds its unsent messages.
   *
   * @param dedupKey when set, a second draft with the same key is ignored (null: none)
   */
  public record Draft(String kind, String topic, String tenantId, String subjectId, String payload, String dedupKey) {
    public static Draft of(String kind, String topic, String tenantId, String subjectId, String payload) {
      return new Draft(kind, topic, tenantId, subjectId, payload, null);
    }

    public Draft withDedupKey(String key) {
      return new Draft(kind, topic, tenantId, subjectId, payload, key);
    }

    @Override
    public String toString() {
      return "Draft[kind=" + kind + ", topic=" + topic + ", tenant=" + tenantId + "]";
    }
  }

  /** Writes a message in the caller's transaction; empty when its dedup key was seen before. */
  public Optional<Long> enqueue(Handle handle, Draft draft) {
    try {
      return enqueue(handle.getConnection(), draft);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write to the outbox", e);
    }
  }

  /** Whether a row with this dedup key was written (it may be finished, but not yet purged). */
  public boolean seen(Connection connection, String dedupKey) throws SQLException {
    try (PreparedStatement seen = connection.prepareStatement("SELECT 1 FROM outbox WHERE dedup_key = ?")) {
      seen.setString(1, dedupKey);
      try (ResultSet rows = seen.executeQuery()) {
        return rows.next();
      }
    }
  }

  /** As {@link #enqueue(Handle, Draft)}, over a projection's connection (same transaction as its offset). */
  public Optional<Long> enqueue(Connection connection, Draft draft) throws SQLException {
    return enqueue(connection, draft, null);
  }

  /**
   * As {@link #enqueue(Connection, Draft)}, not due before {@code dueAt} (null: now): a reminder
   * waits as a row, so it is sent once by whichever node claims it when due, also after restarts.
   */
  public Optional<Long> enqueue(Connection connection, Draft draft, Instant dueAt) throws SQLException {
    if (draft.dedupKey() != null && seen(connection, draft.dedupKey())) return Optional.empty();
    EncryptedPersonalData sealed = vault.encrypt(draft.subjectId(), draft.payload());
    Instant now = clock.instant();
    Instant due = dueAt == null || dueAt.isBefore(now) ? now : dueAt;
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO outbox (kind, topic, tenant_id, subject_id, payload, dedup_key, status, attempts, created_at, due_at)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)""", new String[] {"id"})) {
      insert.setString(1, draft.kind());
      insert.setString(2, draft.topic());
      if (draft.tenantId() == null) insert.setNull(3, Types.VARCHAR); else insert.setString(3, draft.tenantId());
      insert.setString(4, draft.subjectId());
      insert.setString(5, sealed.ciphertext());
      if (draft.dedupKey() == null) insert.setNull(6, Types.VARCHAR); else insert.setString(6, draft.dedupKey());
      insert.setTimestamp(7, Timestamp.from(now));
      insert.setTimestamp(8, Timestamp.from(due));
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return Optional.of(keys.getLong(1));
      }
    }
  }

  /**
   * Withdraws the pending rows whose dedup key starts with {@code dedupKeyPrefix} and that no node
   * holds a lease on (e.g. a moved booking's reminders): they become {@code gone}, payload cleared.
   * A row a node is delivering right now is left to it. Returns how many were withdrawn.
   */
  public int withdraw(Connection connection, String dedupKeyPrefix) throws SQLException {
    Instant now = clock.instant();
    try (PreparedStatement update = connection.prepareStatement("""
        UPDATE outbox SET status = 'gone', payload = NULL, last_error = 'withdrawn', finished_at = ?
        WHERE dedup_key LIKE ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)""")) {
      update.setTimestamp(1, Timestamp.from(now));
      if (dedupKeyPrefix.contains("%") || dedupKeyPrefix.contains("_")) {
        throw new IllegalArgumentException("a dedup key prefix without LIKE wildcards");
      }
      update.setString(2, dedupKeyPrefix + "%");
      update.setTimestamp(3, Timestamp.from(now));
      return update.executeUpdate();
    }
  }

  /**
   * Claims up to {@code max} due rows of these kinds for {@code owner} until now + lease, counting
   * the attempt. A row is claimed by one owner at a time; an expired lease (a node that died
   * mid-send) makes it claimable again. Rows whose subject was erased are finished as gone.
   */
  public List<OutboxMessage> claim(Collection<String> kinds, String owner, Duration lease, int max) {
    if (kinds.isEmpty()) return List.of();
    Instant now = clock.instant();
    List<Claimed> claimed = dialect == Dialect.POSTGRES
        ? claimSkippingLocked(kinds, owner, now, lease, max)
        : claimOneByOne(kinds, owner, now, lease, max);
    List<OutboxMessage> messages = new ArrayList<>(claimed.size());
    for (Claimed row : claimed) {
      DecryptedPersonalData payload = vault.decrypt(new EncryptedPersonalData(row.subjectId, row.payload));
      if (payload.erased()) {
        finish(row.id, owner, GONE, "the data subject was erased");
        continue;
      }
      messages.add(new OutboxMessage(row.id, row.kind, row.topic, row.tenantId, row.subjectId, payload.value(),
          row.attempts, row.createdAt));
    }
    return messages;
  }

  private record Claimed(long id, String kind, String topic, String tenantId, String subjectId, String payload,
      int attempts, Instant createdAt) {}

  private static final String DUE = """
      status = 'pending' AND due_at <= :now AND (lease_until IS NULL OR lease_until <= :now) AND kind IN (<kinds>)""";

  private List<Claimed> claimSkippingLocked(Collection<String> kinds, String owner, Instant now, Duration lease,
      int max) {
    return jdbi.inTransaction(handle -> handle.createQuery("""
            UPDATE outbox SET lease_owner = :owner, lease_until = :until, attempts = attempts + 1
            WHERE id IN (SELECT id FROM outbox WHERE""" + " " + DUE + """
             ORDER BY due_at LIMIT :max FOR UPDATE SKIP LOCKED)
            RETURNING id, kind, topic, tenant_id, subject_id, payload, attempts, created_at""")
        .bind("owner", owner).bind("until", now.plus(lease)).bind("now", now).bindList("kinds", List.copyOf(kinds))
        .bind("max", max)
        .map((rs, ctx) -> claimed(rs))
        .list());
  }

  /** H2 has no SKIP LOCKED: take candidates, then win each with a conditional update. */
  private List<Claimed> claimOneByOne(Collection<String> kinds, String owner, Instant now, Duration lease, int max) {
    return jdbi.withHandle(handle -> {
      List<Long> candidates = handle.createQuery("SELECT id FROM outbox WHERE " + DUE + " ORDER BY due_at LIMIT :max")
          .bind("now", now).bindList("kinds", List.copyOf(kinds)).bind("max", max).mapTo(Long.class).list();
      List<Claimed> won = new ArrayList<>();
      for (long id : candidates) {
        int updated = handle.createUpdate("""
                UPDATE outbox SET lease_owner = :owner, lease_until = :until, attempts = attempts + 1
                WHERE id = :id AND status = 'pending' AND (lease_until IS NULL OR lease_until <= :now)""")
            .bind("owner", owner).bind("until", now.plus(lease)).bind("id", id).bind("now", now).execute();
        if (updated == 1) {
          handle.createQuery("""
                  SELECT id, kind, topic, tenant_id, subject_id, payload, attempts, created_at FROM outbox WHERE id = :id""")
              .bind("id", id).map((rs, ctx) -> claimed(rs)).findOne().ifPresent(won::add);
        }
      }
      return won;
    });
  }

  private static Claimed claimed(ResultSet rs) throws SQLException {
    return new Claimed(rs.getLong("id"), rs.getString("kind"), rs.getString("topic"), rs.getString("tenant_id"),
        rs.getString("subject_id"), rs.getString("payload"), rs.getInt("attempts"),
        rs.getTimestamp("created_at").toInstant());
  }

  /**
   * Finishes a row this owner holds: delivered, dead or gone; its payload is cleared.
   *
   * @return false when the lease was lost (another owner has the row now): nothing changed
   */
  public boolean finish(long id, String owner, String status, String reason) {
    return jdbi.withHandle(handle -> handle.createUpdate("""
            UPDATE outbox SET status = :status, payload = NULL, finished_at = :now, lease_owner = NULL,
              lease_until = NULL, last_error = :reason
            WHERE id = :id AND lease_owner = :owner AND status = 'pending'""")
        .bind("status", status).bind("now", clock.instant()).bind("reason", truncated(reason)).bind("id", id)
        .bind("owner", owner).execute()) == 1;
  }

  /** Gives back a held row this owner did not try (it is stopping): claimable at once, the attempt uncounted. */
  public boolean release(long id, String owner) {
    return jdbi.withHandle(handle -> handle.createUpdate("""
            UPDATE outbox SET lease_owner = NULL, lease_until = NULL, attempts = attempts - 1
            WHERE id = :id AND lease_owner = :owner AND status = 'pending'""")
        .bind("id", id).bind("owner", owner).execute()) == 1;
  }

  /** Gives a held row back, due again at {@code due}. */
  public boolean retryAt(long id, String owner, Instant due, String reason) {
    return jdbi.withHandle(handle -> handle.createUpdate("""
            UPDATE outbox SET due_at = :due, lease_owner = NULL, lease_until = NULL, last_error = :reason
            WHERE id = :id AND lease_owner = :owner AND status = 'pending'""")
        .bind("due", due).bind("reason", truncated(reason)).bind("id", id).bind("owner", owner).execute()) == 1;
  }

  /** Deletes finished rows (delivered, dead, gone) that finished before {@code before}; how many. */
  public int purgeFinished(Instant before) {
    return jdbi.withHandle(handle -> handle.createUpdate(
            "DELETE FROM outbox WHERE status <> 'pending' AND finished_at < :before")
        .bind("before", before).execute());
  }

  /** The pending rows (due or not) and the age of the oldest, over all kinds. */
  public record Backlog(long pending, Duration oldestAge, long dead) {}

  public Backlog backlog() {
    Instant now = clock.instant();
    return jdbi.withHandle(handle -> {
      long pending = handle.createQuery("SELECT count(*) FROM outbox WHERE status = 'pending'").mapTo(Long.class).one();
      Optional<Instant> oldest = handle.createQuery("SELECT min(created_at) FROM outbox WHERE status = 'pending'")
          .map((rs, ctx) -> rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant()).findOne();
      long dead = handle.createQuery("SELECT count(*) FROM outbox WHERE status = 'dead'").mapTo(Long.class).one();
      Duration age = oldest.map(at -> Duration.between(at, now)).filter(d -> !d.isNegative()).orElse(Duration.ZERO);
      return new Backlog(pending, age, dead);
    });
  }

  /** A row as an admin sees it: no payload, ever. */
  public record Entry(long id, String kind, String topic, String status, int attempts, Instant createdAt,
      Instant dueAt, Instant finishedAt, String lastError) {}

  /** The tenant's rows in this status, newest first. */
  public List<Entry> entries(String tenantId, String status, int limit) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT id, kind, topic, status, attempts, created_at, due_at, finished_at, last_error FROM outbox
            WHERE tenant_id = :tenantId AND status = :status ORDER BY id DESC LIMIT :limit""")
        .bind("tenantId", tenantId).bind("status", status).bind("limit", limit)
        .map((rs, ctx) -> new Entry(rs.getLong("id"), rs.getString("kind"), rs.getString("topic"),
            rs.getString("status"), rs.getInt("attempts"), rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("due_at").toInstant(),
            rs.getTimestamp("finished_at") == null ? null : rs.getTimestamp("finished_at").toInstant(),
            rs.getString("last_error")))
        .list());
  }

  private static String truncated(String reason) {
    if (reason == null) return null;
    return reason.length() <= 500 ? reason : reason.substring(0, 497) + "...";
  }
}
