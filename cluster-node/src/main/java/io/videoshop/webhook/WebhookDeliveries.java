package io.videoshop.webhook;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.http.Json;
import io.videoshop.notification.Mails;
import io.videoshop.notification.Outbox;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The webhook delivery log ({@code webhook_messages}, {@code webhook_attempts}) and its
 * delivery: {@link #deliverDue} claims, for each enabled endpoint, its oldest pending message
 * when it is due (a failing message holds back that endpoint's later ones, no one else's), with
 * a lease so that one node at a time sends it, makes one attempt with {@link WebhookSender},
 * records it, and schedules the next by {@link RetrySchedule}. 410 Gone disables the endpoint
 * (the message waits for it to be enabled again), and so do five days of failures (the owners are
 * mailed). {@link #fanOut} addresses the projections' catalog events to the endpoints. Blocking:
 * call on a worker thread.
 */
public final class WebhookDeliveries {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebhookDeliveries.class);
  public static final String PENDING = "pending";
  public static final String DELIVERED = "delivered";
  public static final String FAILED = "failed";

  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final WebhookSender sender;
  private final Clock clock;
  private final RandomGenerator random;
  private final Duration lease;
  private final Mails mails;
  private final Outbox.Dialect dialect;
  private final AuditLog audit;
  /** Attempts in flight at once on this node, each to another endpoint ({@code videoshop.webhooks.parallelism}). */
  private final int parallelism;
  private final ExecutorService senders;
  private final AtomicBoolean running = new AtomicBoolean();

  /** An endpoint whose attempts failed this long, without a success between, is disabled and its owners mailed. */
  public static final Duration FAILING_DISABLES_AFTER = Duration.ofDays(5);

  /** @param mails where the owners of an endpoint disabled after failing for days are told; null: nobody */
  public WebhookDeliveries(Jdbi jdbi, PersonalDataVault vault, WebhookSender sender,
      Mails mails, AuditLog audit, Clock clock, RandomGenerator random, Duration lease, Outbox.Dialect dialect,
      int parallelism) {
    if (parallelism < 1) throw new IllegalArgumentException("parallelism must be at least 1");
    this.parallelism = parallelism;
    this.senders = Executors.newFixedThreadPool(parallelism, runnable -> {
      Thread thread = new Thread(runnable, "webhook-sender");
      thread.setDaemon(true);
      return thread;
    });
    this.jdbi = jdbi;
    this.audit = audit;
    this.dialect = dialect;
    this.mails = mails;
    this.vault = vault;
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
    jdbi.useHandle(handle -> {
      try {
        insert(handle.getConnection(), id, tenantId, endpointId, eventType, body, null);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot queue a webhook message", e);
      }
    });
    return id;
  }

  /**
   * Addresses a catalog event to the tenant's endpoints that want its type, in the caller's
   * transaction (a projection's, with its offset): one message each, its body with the shopper's
   * name, email and phone only for an endpoint that asks for them and only while the subject is
   * not erased. The message id follows from the endpoint and the entity's event, so the same event
   * is never queued twice for one endpoint (a replay over events the live projection queued
   * already adds nothing). {@code onlyEndpoint} null: every enabled endpoint created by the event's
   * time (older events are a replay's business); else that endpoint alone. How many were queued.
   */
  public int fanOut(Connection connection, WebhookEvent event, String onlyEndpoint) throws SQLException {
    String sql = onlyEndpoint == null
        ? "SELECT id, event_types, include_personal_data FROM webhook_endpoints WHERE tenant_id = ? AND enabled "
            + "AND created_at <= ?"
        : "SELECT id, event_types, include_personal_data FROM webhook_endpoints WHERE tenant_id = ? AND id = ?";
    record Target(String endpointId, boolean personal) {}
    List<Target> targets = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, event.tenantId());
      if (onlyEndpoint == null) select.setTimestamp(2, Timestamp.from(event.timestamp()));
      else select.setString(2, onlyEndpoint);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          String types = rs.getString("event_types");
          boolean wanted = WebhookEndpoints.ALL_TYPES.equals(types) || List.of(types.split(" ")).contains(event.type());
          if (wanted) targets.add(new Target(rs.getString("id"), rs.getBoolean("include_personal_data")));
        }
      }
    }
    int queued = 0;
    for (Target target : targets) {
      String endpointId = target.endpointId();
      Map<String, Object> data = new LinkedHashMap<>(event.data());
      String subject = target.personal() ? addPersonalData(data, event.personal()) : null;
      Map<String, Object> envelope = new LinkedHashMap<>();
      envelope.put("type", event.type());
      envelope.put("timestamp", event.timestamp().toString());
      envelope.put("entity", event.entity());
      envelope.put("sequence", event.sequence());
      envelope.put("data", data);
      String id = messageId(endpointId, event.entity(), event.sequence(), event.type());
      if (insert(connection, id, event.tenantId(), endpointId, event.type(), body(envelope), subject)) queued++;
    }
    return queued;
  }

  /** Bodies show a field without a value as null, so every event of a type has the same fields. */
  private static final com.fasterxml.jackson.databind.ObjectMapper BODIES = Json.MAPPER.copy()
      .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS);

  private static String body(Map<String, Object> envelope) {
    try {
      return BODIES.writeValueAsString(envelope);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a webhook body", e);
    }
  }

  /** Adds the shopper's name, email and phone that still decrypt; the subject when any was added, else null. */
  private String addPersonalData(Map<String, Object> data, WebhookEvent.Personal personal) {
    if (personal == null) return null;
    boolean added = addDecrypted(data, "name", personal.name());
    added |= addDecrypted(data, "email", personal.email());
    added |= addDecrypted(data, "phone", personal.phone());
    return added ? personal.subjectId() : null;
  }

  private boolean addDecrypted(Map<String, Object> data, String field, EncryptedPersonalData value) {
    if (value == null) return false;
    DecryptedPersonalData opened = vault.decrypt(value);
    if (opened.erased()) return false; // erased: never again
    data.put(field, opened.value());
    return true;
  }

  /** The id of one entity event's message to one endpoint: the same whoever queues it, however often. */
  static String messageId(String endpointId, String entity, long sequence, String type) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(
          (endpointId + "\n" + entity + "\n" + sequence + "\n" + type).getBytes(StandardCharsets.UTF_8));
      return "msg_" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Inserts a pending message unless one with its id exists; whether it did. */
  private boolean insert(Connection connection, String id, String tenantId, String endpointId, String eventType,
      String body, String personalSubject) throws SQLException {
    EncryptedPersonalData sealed = vault.encrypt(WebhookEndpoints.subjectOf(endpointId), body);
    Timestamp now = Timestamp.from(clock.instant());
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO webhook_messages (id, endpoint_id, tenant_id, event_type, body_sealed, status, attempts,
          due_at, created_at, personal_subject)
        SELECT ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM webhook_messages WHERE id = ?)""")) {
      insert.setString(1, id);
      insert.setString(2, endpointId);
      insert.setString(3, tenantId);
      insert.setString(4, eventType);
      insert.setString(5, sealed.ciphertext());
      insert.setTimestamp(6, now);
      insert.setTimestamp(7, now);
      insert.setString(8, personalSubject);
      insert.setString(9, id);
      return insert.executeUpdate() == 1;
    }
  }

  /** A leased message with what its attempt needs: the endpoint's URL and the sealed secrets that sign now. */
  private record Claimed(long ordinal, String id, String endpointId, String tenantId, String url, String body,
      int attempts, List<String> sealedSecrets, boolean endpointFailing) {}

  /**
   * What became of one claimed message: its attempt, or null when none was made (body or secret
   * erased); {@code at} null when the attempt broke off (its lease runs out, then it goes again).
   */
  private record Done(Claimed message, Instant at, WebhookSender.Attempt result) {
    static Done brokeOff(Claimed message) {
      return new Done(message, null, null);
    }
  }

  /**
   * Makes one attempt for each endpoint's due head message (up to {@code max}), side by side on
   * the sender threads (each is another endpoint's head, so no endpoint's order changes);
   * records them all in one transaction once all are done; how many were tried. Database round
   * trips: one claim (lease, body, URL and secrets), one key look-up per message, one transaction
   * for the batch's attempts and outcomes.
   */
  public int deliverDue(String owner, int max) {
    List<Claimed> claimed = claim(owner, max);
    if (claimed.isEmpty()) return 0;
    List<CompletableFuture<Done>> attempts = claimed.stream()
        .map(message -> CompletableFuture.supplyAsync(() -> attemptOrBreakOff(message), senders)).toList();
    CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new)).join();
    record(owner, attempts.stream().map(CompletableFuture::join).toList());
    return claimed.size();
  }

  /** Due: pending, due, not leased, on an enabled endpoint, and the oldest pending one of that endpoint. */
  private static final String DUE_HEADS = """
      SELECT h.ordinal FROM webhook_messages h
      JOIN webhook_endpoints he ON he.id = h.endpoint_id AND he.enabled
      WHERE h.status = 'pending' AND h.due_at <= :now AND (h.lease_until IS NULL OR h.lease_until <= :now)
        AND NOT EXISTS (SELECT 1 FROM webhook_messages p
          WHERE p.endpoint_id = h.endpoint_id AND p.status = 'pending' AND p.ordinal < h.ordinal)
      ORDER BY h.due_at, h.ordinal LIMIT :max""";

  private static final String CLAIMED_COLUMNS = """
      m.ordinal, m.id, m.endpoint_id, m.tenant_id, m.body_sealed, m.attempts, e.url, e.secret_sealed,
      e.previous_secret_sealed, e.previous_secret_until, e.failing_since""";

  private List<Claimed> claim(String owner, int max) {
    return jdbi.inTransaction(handle -> claim(handle, owner, max));
  }

  private List<Claimed> claim(Handle handle, String owner, int max) {
    Instant now = clock.instant();
    if (dialect == Outbox.Dialect.POSTGRES) {
      // One statement: the heads are locked (another node's claim skips them), leased and returned with all an attempt needs.
      return handle.createQuery("""
              UPDATE webhook_messages m SET lease_owner = :owner, lease_until = :until, attempts = m.attempts + 1
              FROM webhook_endpoints e
              WHERE e.id = m.endpoint_id AND m.ordinal IN (""" + DUE_HEADS + " FOR UPDATE OF h SKIP LOCKED)\n"
              + "RETURNING " + CLAIMED_COLUMNS)
          .bind("owner", owner).bind("until", now.plus(lease)).bind("now", now).bind("max", max)
          .map((rs, ctx) -> claimed(rs, 0, now)).list();
    }
    // H2 has no SKIP LOCKED: read the heads with what an attempt needs, then win each with a conditional update.
    List<Claimed> heads = handle.createQuery("SELECT " + CLAIMED_COLUMNS + """
             FROM webhook_messages m JOIN webhook_endpoints e ON e.id = m.endpoint_id
            WHERE m.ordinal IN (""" + DUE_HEADS + ")")
        .bind("now", now).bind("max", max).map((rs, ctx) -> claimed(rs, 1, now)).list();
    List<Claimed> won = new ArrayList<>();
    for (Claimed head : heads) {
      int updated = handle.createUpdate("""
              UPDATE webhook_messages SET lease_owner = :owner, lease_until = :until, attempts = attempts + 1
              WHERE ordinal = :ordinal AND status = 'pending' AND (lease_until IS NULL OR lease_until <= :now)""")
          .bind("owner", owner).bind("until", now.plus(lease)).bind("ordinal", head.ordinal()).bind("now", now)
          .execute();
      if (updated == 1) won.add(head);
    }
    return won;
  }

  /** {@code attemptsAdded}: 1 when the row was read before its lease counted the attempt. */
  private static Claimed claimed(ResultSet rs, int attemptsAdded, Instant now) throws SQLException {
    return new Claimed(rs.getLong("ordinal"), rs.getString("id"), rs.getString("endpoint_id"),
        rs.getString("tenant_id"), rs.getString("url"), rs.getString("body_sealed"),
        rs.getInt("attempts") + attemptsAdded,
        WebhookEndpoints.sealedSigning(rs.getString("secret_sealed"), rs.getString("previous_secret_sealed"),
            rs.getTimestamp("previous_secret_until"), now),
        rs.getTimestamp("failing_since") != null);
  }

  /** {@link #attempt}, or {@link Done#brokeOff} when it could not be made (the vault's database failing). */
  private Done attemptOrBreakOff(Claimed message) {
    try {
      return attempt(message);
    } catch (RuntimeException e) {
      LOG.warn("A webhook attempt broke off (message {}); it goes again when its lease runs out", message.id(), e);
      return Done.brokeOff(message);
    }
  }

  /** Opens the body and the secrets (one key look-up: they share the endpoint's subject) and makes the attempt. */
  private Done attempt(Claimed message) {
    List<String> sealed = new ArrayList<>(1 + message.sealedSecrets().size());
    sealed.add(message.body());
    sealed.addAll(message.sealedSecrets());
    List<DecryptedPersonalData> opened = vault.decrypt(WebhookEndpoints.subjectOf(message.endpointId()), sealed);
    Optional<WebhookEndpoints.SigningSecrets> secrets = WebhookEndpoints.signing(opened.subList(1, opened.size()));
    Instant at = clock.instant();
    if (opened.get(0).erased() || secrets.isEmpty()) return new Done(message, at, null);
    return new Done(message, at, sender.send(
        new WebhookSender.Message(message.id(), message.url(), opened.get(0).value()), secrets.get().secrets()));
  }

  /**
   * Records a batch's attempts and what follows from each in one transaction: delivered or failed
   * (finished), or due again by the {@link RetrySchedule} (released); 410 disables the endpoint and
   * gives the message back uncounted; a failure notes the endpoint failing (five days: disabled).
   * Only rows this owner still leases change.
   */
  private void record(String owner, List<Done> batch) {
    jdbi.useTransaction(handle -> record(handle, owner, batch));
  }

  private void record(Handle handle, String owner, List<Done> batch) {
    Instant now = clock.instant();
    PreparedBatch attempts = handle.prepareBatch("""
        INSERT INTO webhook_attempts (message_id, endpoint_id, tenant_id, attempted_at, outcome, http_status,
          latency_ms, response, reason)
        VALUES (:message, :endpoint, :tenant, :at, :outcome, :status, :latency, :response, :reason)""");
    PreparedBatch finished = handle.prepareBatch("""
        UPDATE webhook_messages SET status = :status, finished_at = :now, lease_owner = NULL, lease_until = NULL
        WHERE ordinal = :ordinal AND lease_owner = :owner""");
    PreparedBatch released = handle.prepareBatch("""
        UPDATE webhook_messages SET due_at = :due, lease_owner = NULL, lease_until = NULL,
          attempts = attempts - :uncount WHERE ordinal = :ordinal AND lease_owner = :owner""");
    for (Done done : batch) {
      Claimed message = done.message();
      WebhookSender.Attempt result = done.result();
      if (done.at() == null) continue; // broke off: the lease runs out
      if (result == null) {
        finished.bind("status", FAILED).bind("now", now).bind("ordinal", message.ordinal()).bind("owner", owner).add();
        continue;
      }
      attempts.bind("message", message.id()).bind("endpoint", message.endpointId())
          .bind("tenant", message.tenantId()).bind("at", done.at()).bind("outcome", result.outcome().name().toLowerCase())
          .bind("status", result.status()).bind("latency", result.latency().toMillis())
          .bind("response", result.response()).bind("reason", result.reason()).add();
      switch (result.outcome()) {
        case DELIVERED -> {
          finished.bind("status", DELIVERED).bind("now", now).bind("ordinal", message.ordinal())
              .bind("owner", owner).add();
          if (message.endpointFailing()) {
            handle.createUpdate("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = :id")
                .bind("id", message.endpointId()).execute();
          }
        }
        case GONE -> {
          disable(handle, message.endpointId(), "the receiver answered 410 Gone", now);
          released.bind("due", now).bind("uncount", 1).bind("ordinal", message.ordinal()).bind("owner", owner).add();
        }
        case FAILED, REFUSED -> {
          failing(handle, message, now);
          Optional<Duration> next = RetrySchedule.delayAfter(message.attempts(), result.retryAfter(), random);
          if (next.isEmpty()) {
            finished.bind("status", FAILED).bind("now", now).bind("ordinal", message.ordinal())
                .bind("owner", owner).add();
          } else {
            released.bind("due", now.plus(next.get())).bind("uncount", 0).bind("ordinal", message.ordinal())
                .bind("owner", owner).add();
          }
        }
      }
    }
    for (PreparedBatch statements : List.of(attempts, finished, released)) {
      if (statements.size() > 0) statements.execute();
    }
  }

  /**
   * Notes a failed attempt: the endpoint fails since its first failure after the last success;
   * once that is {@link #FAILING_DISABLES_AFTER} ago it is disabled and the tenant's owners are
   * mailed (once per failing spell: the dedup key holds its start). Its messages wait.
   */
  private void failing(Handle handle, Claimed message, Instant now) {
    handle.createUpdate("UPDATE webhook_endpoints SET failing_since = :now WHERE id = :id AND failing_since IS NULL")
        .bind("now", Timestamp.from(now)).bind("id", message.endpointId()).execute();
    Optional<Instant> since = handle.createQuery("SELECT failing_since FROM webhook_endpoints WHERE id = :id")
        .bind("id", message.endpointId()).mapTo(Timestamp.class).findOne().map(Timestamp::toInstant);
    if (since.isEmpty() || since.get().plus(FAILING_DISABLES_AFTER).isAfter(now)) return;
    int disabled = handle.createUpdate("""
            UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = :reason, updated_at = :now
            WHERE id = :id AND enabled""")
        .bind("reason", "every attempt failed since " + since.get() + " (5 days)")
        .bind("now", Timestamp.from(now)).bind("id", message.endpointId()).execute();
    if (disabled == 0 || mails == null) return;
    try {
      for (Mails.Owner ownerUser : Mails.owners(handle.getConnection(), message.tenantId())) {
        mails.send(handle.getConnection(), new Mails.Mail(message.tenantId(), "user:" + ownerUser.id(),
                ownerUser.email(), ownerUser.language(), "webhook_disabled",
                Map.of("url", message.url(), "failingSince", since.get().toString(),
                    "endpointsLink", mails.link("/admin"))),
            "webhook_disabled:" + message.endpointId() + ":" + since.get().toEpochMilli() + ":" + ownerUser.id());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot queue the endpoint-disabled mail", e);
    }
  }

  private static void disable(Handle handle, String endpointId, String reason, Instant now) {
    handle.createUpdate("""
            UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = :reason, updated_at = :now WHERE id = :id""")
        .bind("reason", reason).bind("now", Timestamp.from(now)).bind("id", endpointId).execute();
  }

  /**
   * One round of this node's worker: a pipeline that keeps up to {@code parallelism} attempts in
   * flight, each to another endpoint, until nothing is due and nothing is in flight; then nothing
   * until the next tick. Each turn records the attempts finished since the last and claims as many
   * due heads as there are free places, in one transaction, so an endpoint's next
   * message is claimed as soon as its head is recorded, while the other endpoints' attempts go on.
   * Order per endpoint holds because only an endpoint's oldest pending message is claimable, and it
   * stays pending (leased) until its attempt is recorded. A node claims only free places, never a
   * backlog: the other nodes' workers share what is due. A round still running makes the next
   * tick a no-op.
   */
  public void runOnce(String owner) {
    if (!running.compareAndSet(false, true)) return;
    BlockingQueue<Done> finished = new LinkedBlockingQueue<>();
    int inFlight = 0;
    try {
      boolean due = true; // whether the last claim may have left due heads behind
      while (!Thread.currentThread().isInterrupted()) {
        List<Done> batch = new ArrayList<>();
        finished.drainTo(batch);
        inFlight -= batch.size();
        due |= !batch.isEmpty(); // the heads just recorded may have successors due now
        int free = due ? parallelism - inFlight : 0;
        if (!batch.isEmpty() || free > 0) {
          List<Claimed> claimed = turn(owner, batch, free);
          if (free > 0) due = claimed.size() == free;
          for (Claimed message : claimed) {
            senders.execute(() -> finished.add(attemptOrBreakOff(message)));
          }
          inFlight += claimed.size();
        }
        if (inFlight == 0 && !due) return;
        Done next = finished.poll(1, TimeUnit.SECONDS);
        if (next != null) finished.add(next);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // The attempts in flight finish unrecorded; their leases run out and they go again.
      LOG.warn("A webhook delivery round stopped with {} attempts in flight; the next tick starts another",
          inFlight, e);
    } finally {
      running.set(false);
    }
  }

  /**
   * One turn of the pipeline in one transaction: records the finished attempts, then claims up to
   * {@code free} due heads (the successors of the heads just recorded among them).
   */
  private List<Claimed> turn(String owner, List<Done> finished, int free) {
    return jdbi.inTransaction(handle -> {
      if (!finished.isEmpty()) record(handle, owner, finished);
      return free > 0 ? claim(handle, owner, free) : List.<Claimed>of();
    });
  }

  /**
   * Sends a message again: a fresh message with the same body (and the same shopper subject, so an
   * erasure still finds it), under a new id, at the end of its endpoint's line; audited
   * ({@code webhook_message.resent}) in the same transaction.
   */
  public String resend(Caller caller, String tenantId, String endpointId, String messageId) {
    return jdbi.inTransaction(handle -> handle.createQuery("""
            SELECT event_type, body_sealed, personal_subject FROM webhook_messages
            WHERE id = :id AND endpoint_id = :e AND tenant_id = :t""")
        .bind("id", messageId).bind("e", endpointId).bind("t", tenantId)
        .map((rs, ctx) -> new String[] {rs.getString("event_type"), rs.getString("body_sealed"),
            rs.getString("personal_subject")}).findOne()
        .map(row -> {
          DecryptedPersonalData body = vault.decrypt(
              new EncryptedPersonalData(WebhookEndpoints.subjectOf(endpointId), row[1]));
          if (body.erased()) throw messageNotFound();
          String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
          try {
            insert(handle.getConnection(), id, tenantId, endpointId, row[0], body.value(), row[2]);
          } catch (SQLException e) {
            throw new IllegalStateException("cannot queue the message again", e);
          }
          audit.record(handle, caller, new AuditLog.Change(tenantId, "webhook_message.resent", "webhook_message", id,
              Map.of("messageId", messageId), Map.of("messageId", id, "endpointId", endpointId, "eventType", row[0])));
          return id;
        }))
        .orElseThrow(WebhookDeliveries::messageNotFound);
  }

  /**
   * Every failed message of the endpoint created since {@code since} is pending again, due at once;
   * how many. Audited ({@code webhook_endpoint.recovered}, with the time and the count) in the same
   * transaction.
   */
  public int recoverFailed(Caller caller, String tenantId, String endpointId, Instant since) {
    return jdbi.inTransaction(handle -> {
      int recovered = handle.createUpdate("""
              UPDATE webhook_messages SET status = 'pending', attempts = 0, due_at = :now, finished_at = NULL
              WHERE endpoint_id = :e AND tenant_id = :t AND status = 'failed' AND created_at >= :since""")
          .bind("now", Timestamp.from(clock.instant())).bind("e", endpointId).bind("t", tenantId)
          .bind("since", Timestamp.from(since)).execute();
      audit.record(handle, caller, new AuditLog.Change(tenantId, "webhook_endpoint.recovered", "webhook_endpoint",
          endpointId, null, Map.of("since", since.toString(), "recovered", recovered)));
      return recovered;
    });
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
    String body = Json.write(Map.of("type", "ping", "timestamp", clock.instant().toString(),
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

  /**
   * Deletes finished messages and their attempts older than {@code before} (the retention), and
   * the projection's context not touched since then; how many messages.
   */
  public int purgeFinished(Instant before) {
    return jdbi.inTransaction(handle -> {
      handle.createUpdate("DELETE FROM webhook_event_context WHERE updated_at < :before")
          .bind("before", Timestamp.from(before)).execute();
      handle.createUpdate("""
              DELETE FROM webhook_attempts WHERE message_id IN (SELECT id FROM webhook_messages
                WHERE status <> 'pending' AND finished_at < :before)""")
          .bind("before", Timestamp.from(before)).execute();
      return handle.createUpdate("DELETE FROM webhook_messages WHERE status <> 'pending' AND finished_at < :before")
          .bind("before", Timestamp.from(before)).execute();
    });
  }
}
