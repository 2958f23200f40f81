package io.videoshop.webhook;

import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.jdbi.v3.core.Jdbi;

/**
 * The webhook delivery log ({@code webhook_messages}, {@code webhook_attempts}) and its
 * delivery: {@link #deliverDue} claims, for each enabled endpoint, its oldest pending message
 * when it is due (a failing message holds back that endpoint's later ones, no one else's), with
 * a lease so that one node at a time sends it, makes one attempt with {@link WebhookSender},
 * records it, and schedules the next by {@link RetrySchedule}. 410 Gone disables the endpoint
 * (the message waits for it to be enabled again). Blocking: call on a worker thread.
 */
public final class WebhookDeliveries {
  public static final String PENDING = "pending";
  public static final String DELIVERED = "delivered";
  public static final String FAILED = "failed";

  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final WebhookEndpoints endpoints;
  private final WebhookSender sender;
  private final Clock clock;
  private final RandomGenerator random;
  private final Duration lease;
  private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();

  public WebhookDeliveries(Jdbi jdbi, PersonalDataVault vault, WebhookEndpoints endpoints, WebhookSender sender,
      Clock clock, RandomGenerator random, Duration lease) {
    this.jdbi = jdbi;
    this.vault = vault;
    this.endpoints = endpoints;
    this.sender = sender;
    this.clock = clock;
    this.random = random;
    this.lease = lease;
  }

  /** A message in the log as admins see it (never its body). */
  public record Message(String id, String endpointId, String eventType, String status, int attempts, Instant dueAt,
      Instant createdAt, Instant finishedAt) {}

  /** One attempt as the log keeps it. */
  public record Attempt(String messageId, Instant attemptedAt, String outcome, int httpStatus, long latencyMs,
      String response, String reason) {}

  /** Adds a message for an endpoint, due at once; its id is the {@code webhook-id} of every attempt. */
  public String enqueue(String tenantId, String endpointId, String eventType, String body) {
    String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
    EncryptedPersonalData sealed = vault.encrypt(WebhookEndpoints.subjectOf(endpointId), body);
    Timestamp now = Timestamp.from(clock.instant());
    jdbi.useHandle(handle -> handle.createUpdate("""
            INSERT INTO webhook_messages (id, endpoint_id, tenant_id, event_type, body_sealed, status, attempts,
              due_at, created_at) VALUES (:id, :endpoint, :tenant, :type, :body, 'pending', 0, :now, :now)""")
        .bind("id", id).bind("endpoint", endpointId).bind("tenant", tenantId).bind("type", eventType)
        .bind("body", sealed.ciphertext()).bind("now", now).execute());
    return id;
  }

  private record Claimed(long ordinal, String id, String endpointId, String tenantId, String url, String body,
      int attempts) {}

  /** Makes one attempt for each endpoint's due head message (up to {@code max}); how many were tried. */
  public int deliverDue(String owner, int max) {
    List<Claimed> claimed = claim(owner, max);
    for (Claimed message : claimed) attempt(owner, message);
    return claimed.size();
  }

  private List<Claimed> claim(String owner, int max) {
    Instant now = clock.instant();
    return jdbi.withHandle(handle -> {
      List<Long> heads = handle.createQuery("""
              SELECT m.ordinal FROM webhook_messages m
              JOIN webhook_endpoints e ON e.id = m.endpoint_id AND e.enabled
              WHERE m.status = 'pending' AND m.due_at <= :now AND (m.lease_until IS NULL OR m.lease_until <= :now)
                AND NOT EXISTS (SELECT 1 FROM webhook_messages p
                  WHERE p.endpoint_id = m.endpoint_id AND p.status = 'pending' AND p.ordinal < m.ordinal)
              ORDER BY m.due_at, m.ordinal LIMIT :max""")
          .bind("now", now).bind("max", max).mapTo(Long.class).list();
      List<Claimed> won = new ArrayList<>();
      for (long ordinal : heads) {
        int updated = handle.createUpdate("""
                UPDATE webhook_messages SET lease_owner = :owner, lease_until = :until, attempts = attempts + 1
                WHERE ordinal = :ordinal AND status = 'pending' AND (lease_until IS NULL OR lease_until <= :now)""")
            .bind("owner", owner).bind("until", now.plus(lease)).bind("ordinal", ordinal).bind("now", now).execute();
        if (updated != 1) continue;
        handle.createQuery("""
                SELECT m.ordinal, m.id, m.endpoint_id, m.tenant_id, m.body_sealed, m.attempts, e.url
                FROM webhook_messages m JOIN webhook_endpoints e ON e.id = m.endpoint_id WHERE m.ordinal = :ordinal""")
            .bind("ordinal", ordinal)
            .map((rs, ctx) -> new Claimed(rs.getLong("ordinal"), rs.getString("id"), rs.getString("endpoint_id"),
                rs.getString("tenant_id"), rs.getString("url"), rs.getString("body_sealed"), rs.getInt("attempts")))
            .findOne().ifPresent(won::add);
      }
      return won;
    });
  }

  private void attempt(String owner, Claimed message) {
    DecryptedPersonalData body = vault.decrypt(
        new EncryptedPersonalData(WebhookEndpoints.subjectOf(message.endpointId()), message.body()));
    Optional<WebhookEndpoints.SigningSecrets> secrets = endpoints.signingSecrets(message.endpointId());
    if (body.erased() || secrets.isEmpty()) {
      finish(owner, message, FAILED);
      return;
    }
    Instant at = clock.instant();
    WebhookSender.Attempt result = sender.send(new WebhookSender.Message(message.id(), message.url(), body.value()),
        secrets.get().secrets());
    jdbi.useHandle(handle -> handle.createUpdate("""
            INSERT INTO webhook_attempts (message_id, endpoint_id, tenant_id, attempted_at, outcome, http_status,
              latency_ms, response, reason)
            VALUES (:message, :endpoint, :tenant, :at, :outcome, :status, :latency, :response, :reason)""")
        .bind("message", message.id()).bind("endpoint", message.endpointId()).bind("tenant", message.tenantId())
        .bind("at", Timestamp.from(at)).bind("outcome", result.outcome().name().toLowerCase())
        .bind("status", result.status()).bind("latency", result.latency().toMillis())
        .bind("response", result.response()).bind("reason", result.reason()).execute());
    switch (result.outcome()) {
      case DELIVERED -> finish(owner, message, DELIVERED);
      case GONE -> {
        disable(message.endpointId(), "the receiver answered 410 Gone");
        release(owner, message, clock.instant(), true);
      }
      case FAILED, REFUSED -> {
        Optional<Duration> next = RetrySchedule.delayAfter(message.attempts(), result.retryAfter(), random);
        if (next.isEmpty()) finish(owner, message, FAILED);
        else release(owner, message, clock.instant().plus(next.get()), false);
      }
    }
  }

  private void finish(String owner, Claimed message, String status) {
    jdbi.useHandle(handle -> handle.createUpdate("""
            UPDATE webhook_messages SET status = :status, finished_at = :now, lease_owner = NULL, lease_until = NULL
            WHERE ordinal = :ordinal AND lease_owner = :owner""")
        .bind("status", status).bind("now", Timestamp.from(clock.instant())).bind("ordinal", message.ordinal())
        .bind("owner", owner).execute());
  }

  /** Gives the message back, due at {@code due}; {@code uncount}: the attempt does not count (410). */
  private void release(String owner, Claimed message, Instant due, boolean uncount) {
    jdbi.useHandle(handle -> handle.createUpdate("""
            UPDATE webhook_messages SET due_at = :due, lease_owner = NULL, lease_until = NULL,
              attempts = attempts - :uncount WHERE ordinal = :ordinal AND lease_owner = :owner""")
        .bind("due", Timestamp.from(due)).bind("uncount", uncount ? 1 : 0).bind("ordinal", message.ordinal())
        .bind("owner", owner).execute());
  }

  private void disable(String endpointId, String reason) {
    jdbi.useHandle(handle -> handle.createUpdate("""
            UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = :reason, updated_at = :now WHERE id = :id""")
        .bind("reason", reason).bind("now", Timestamp.from(clock.instant())).bind("id", endpointId).execute());
  }

  /**
   * One round of this node's worker: due messages, then nothing until the next tick. A round
   * still running (a slow receiver) makes the next tick a no-op; other nodes go on meanwhile.
   */
  public void runOnce(String owner) {
    if (!running.compareAndSet(false, true)) return;
    try {
      while (deliverDue(owner, 50) == 50) {
        // a full batch: more may be due
      }
    } finally {
      running.set(false);
    }
  }

  /** Sends a message again: a fresh message with the same body, under a new id, at the end of its endpoint's line. */
  public String resend(String tenantId, String endpointId, String messageId) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT event_type, body_sealed FROM webhook_messages WHERE id = :id AND endpoint_id = :e AND tenant_id = :t""")
        .bind("id", messageId).bind("e", endpointId).bind("t", tenantId)
        .map((rs, ctx) -> new String[] {rs.getString("event_type"), rs.getString("body_sealed")}).findOne())
        .map(row -> {
          DecryptedPersonalData body = vault.decrypt(
              new EncryptedPersonalData(WebhookEndpoints.subjectOf(endpointId), row[1]));
          if (body.erased()) throw messageNotFound();
          return enqueue(tenantId, endpointId, row[0], body.value());
        })
        .orElseThrow(WebhookDeliveries::messageNotFound);
  }

  /** Every failed message of the endpoint finished since {@code since} is pending again, due at once; how many. */
  public int recoverFailed(String tenantId, String endpointId, Instant since) {
    return jdbi.withHandle(handle -> handle.createUpdate("""
            UPDATE webhook_messages SET status = 'pending', attempts = 0, due_at = :now, finished_at = NULL
            WHERE endpoint_id = :e AND tenant_id = :t AND status = 'failed' AND created_at >= :since""")
        .bind("now", Timestamp.from(clock.instant())).bind("e", endpointId).bind("t", tenantId)
        .bind("since", Timestamp.from(since)).execute());
  }

  static WebhookRefused messageNotFound() {
    return WebhookRefused.of(WebhookRefused.Reason.NOT_FOUND, "webhook_message_not_found",
        "This endpoint has no message with this id");
  }

  /** An endpoint's messages, newest first. */
  public List<Message> messages(String endpointId, int limit) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT id, endpoint_id, event_type, status, attempts, due_at, created_at, finished_at
            FROM webhook_messages WHERE endpoint_id = :e ORDER BY ordinal DESC LIMIT :limit""")
        .bind("e", endpointId).bind("limit", limit)
        .map((rs, ctx) -> new Message(rs.getString("id"), rs.getString("endpoint_id"), rs.getString("event_type"),
            rs.getString("status"), rs.getInt("attempts"), rs.getTimestamp("due_at").toInstant(),
            rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("finished_at") == null ? null : rs.getTimestamp("finished_at").toInstant()))
        .list());
  }

  /** Queues a {@code ping} for the endpoint (a receiver's test); its message id. */
  public String ping(String tenantId, String endpointId) {
    String body = io.videoshop.http.Json.write(Map.of("type", "ping", "timestamp", clock.instant().toString(),
        "data", Map.of()));
    return enqueue(tenantId, endpointId, "ping", body);
  }

  /** The attempts of the endpoint's message, oldest first; not found when the message is not the endpoint's. */
  public List<Attempt> attempts(String endpointId, String messageId) {
    boolean known = jdbi.withHandle(handle -> handle.createQuery(
            "SELECT COUNT(*) FROM webhook_messages WHERE id = :m AND endpoint_id = :e")
        .bind("m", messageId).bind("e", endpointId).mapTo(Integer.class).one()) > 0;
    if (!known) throw messageNotFound();
    return attempts(messageId);
  }

  /** A message's attempts, oldest first. */
  public List<Attempt> attempts(String messageId) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT message_id, attempted_at, outcome, http_status, latency_ms, response, reason
            FROM webhook_attempts WHERE message_id = :m ORDER BY id""")
        .bind("m", messageId)
        .map((rs, ctx) -> new Attempt(rs.getString("message_id"), rs.getTimestamp("attempted_at").toInstant(),
            rs.getString("outcome"), rs.getInt("http_status"), rs.getLong("latency_ms"), rs.getString("response"),
            rs.getString("reason")))
        .list());
  }

  /** Deletes finished messages and their attempts older than {@code before} (the retention); how many messages. */
  public int purgeFinished(Instant before) {
    return jdbi.inTransaction(handle -> {
      handle.createUpdate("""
              DELETE FROM webhook_attempts WHERE message_id IN (SELECT id FROM webhook_messages
                WHERE status <> 'pending' AND finished_at < :before)""")
          .bind("before", Timestamp.from(before)).execute();
      return handle.createUpdate("DELETE FROM webhook_messages WHERE status <> 'pending' AND finished_at < :before")
          .bind("before", Timestamp.from(before)).execute();
    });
  }
}
