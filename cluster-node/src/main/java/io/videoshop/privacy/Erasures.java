package io.videoshop.privacy;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.http.Json;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.queue.TenantQueue;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.scheduling.BookingCalendars;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erasing a shopper: one request (idempotent: the same reference finds the same request), run as a
 * job on the blocking dispatcher with a status. The {@link ErasureStep}s stop what still runs for
 * the shopper (their place in the live queue, future bookings, pending mails), delete or anonymise
 * their rows in the read models, and shred their subject keys last, which makes every copy in the
 * journal and snapshots unreadable. Reports keep their counts (they hold no personal data). The
 * finished erasure is recorded as the audit entry {@code subject.erased} (its after-state lists the
 * ids, never personal data), which a webhook projection can publish.
 */
public final class Erasures {
  private static final Logger log = LoggerFactory.getLogger(Erasures.class);
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  public record Request(String id, String tenantId, String kind, String referenceType, String status,
      String requestedBy, Instant createdAt, Instant finishedAt, Map<String, Object> result) {}

  private final Jdbi jdbi;
  private final ShopperDirectory directory;
  private final ShopperExport export;
  private final AuditLog audit;
  private final Executor blocking;
  private final Clock clock;
  private final List<ErasureStep> steps = new ArrayList<>();

  public Erasures(ActorSystem<?> system, Jdbi jdbi, PersonalDataVault vault, BookingCalendars calendars,
      AuditLog audit, Executor blocking, Clock clock, String region) {
    this.jdbi = jdbi;
    this.directory = new ShopperDirectory(system, jdbi, vault);
    this.export = new ShopperExport(directory, jdbi, vault, region, clock);
    this.audit = audit;
    this.blocking = blocking;
    this.clock = clock;
    steps.add(liveQueue(system));
    steps.add(futureBookings(calendars, clock));
    steps.add(sql("outbox", "DELETE FROM outbox WHERE subject_id IN (<subjects>)"));
    steps.add(sql("call_summaries", "DELETE FROM call_summaries WHERE subject_id IN (<subjects>) OR ticket_id IN (<tickets>)"));
    steps.add(sql("shopper_consents", "DELETE FROM shopper_consents WHERE subject_id IN (<subjects>)"));
    steps.add(sql("report_waiting_tickets", "DELETE FROM report_waiting_tickets WHERE ticket_id IN (<tickets>)"));
    // The shopper's free text next to the (shredded) ciphertexts; the booking stays for the agent's calendar.
    steps.add(sql("bookings", "UPDATE bookings SET product_interest = NULL, cancel_reason = NULL, "
        + "shopper_time_zone = NULL WHERE booking_id IN (<bookings>)"));
    // Entries about the shopper keep what happened and when (the trail's integrity); not who they were.
    steps.add(sql("audit_log", "UPDATE audit_log SET ip = NULL, user_agent = NULL WHERE actor_type <> 'user' "
        + "AND (target_id IN (<all>) OR actor_id IN (<all>)) AND (ip IS NOT NULL OR user_agent IS NOT NULL)"));
    steps.add(new ErasureStep() {
      @Override
      public String store() {
        return "personal_data_keys";
      }

      @Override
      public int erase(ErasureTarget target) {
        int erased = 0;
        for (String subject : target.subjectIds()) erased += vault.erase(subject) ? 1 : 0;
        return erased;
      }
    });
  }

  /** The export of a shopper, over the same directory. */
  public ShopperExport export() {
    return export;
  }

  /** Where the tenant's shoppers are found (the corrections find their tickets there too). */
  public ShopperDirectory directory() {
    return directory;
  }

  /** Adds a store's step before the subject keys are shredded (e.g. the webhook delivery log). */
  public void addStep(ErasureStep step) {
    steps.add(steps.size() - 1, step);
  }

  /**
   * Asks for a shopper's erasure; answers the request at once (status {@code pending}, or the
   * earlier request for the same reference, which a failed one runs again).
   */
  public Request request(String tenantId, ShopperDirectory.ReferenceType type, String value, Caller caller) {
    String referenceType = type.name().toLowerCase(java.util.Locale.ROOT);
    return submit(tenantId, "erasure", referenceType, referenceHash(tenantId, type, value), caller,
        "erasure.requested", id -> eraseShopper(id, tenantId, type, value));
  }

  /** What a privacy job did: its result (no personal data) and the audit entry that records the outcome. */
  record Outcome(Map<String, Object> result, String auditAction, Map<String, Object> auditAfter) {}

  /** The work of a privacy request, run on the blocking dispatcher; must be idempotent (a failed one runs again). */
  @FunctionalInterface
  interface Job {
    Outcome run(String requestId) throws Exception;
  }

  /**
   * A data rights request as a job with a status: one row in {@code privacy_requests} per
   * reference (the same reference answers the same request unless it failed, which runs it again),
   * the audit entry {@code requestedAction}, then the job on the blocking dispatcher and its
   * outcome's audit entry. Erasures of shoppers and users, and export jobs, go through here.
   */
  Request submit(String tenantId, String kind, String referenceType, String hash, Caller caller,
      String requestedAction, Job job) {
    Optional<Request> earlier = find(tenantId, kind, referenceType, hash);
    if (earlier.isPresent() && !"failed".equals(earlier.get().status())) return earlier.get();
    String id = earlier.map(Request::id).orElseGet(() -> UUID.randomUUID().toString());
    jdbi.useTransaction(handle -> {
      if (earlier.isPresent()) {
        handle.createUpdate("UPDATE privacy_requests SET status = 'pending', finished_at = NULL, result = NULL WHERE id = :id")
            .bind("id", id).execute();
      } else {
        handle.createUpdate("""
                INSERT INTO privacy_requests (id, tenant_id, kind, reference_type, reference_hash, status, requested_by,
                  created_at) VALUES (:id, :tenant, :kind, :type, :hash, 'pending', :by, :at)""")
            .bind("id", id).bind("tenant", tenantId).bind("kind", kind).bind("type", referenceType).bind("hash", hash)
            .bind("by", caller.id()).bind("at", clock.instant()).execute();
      }
      audit.record(handle, caller, new AuditLog.Change(tenantId, requestedAction, "privacy_request", id, null,
          Map.of("referenceType", referenceType)));
    });
    CompletableFuture.runAsync(() -> run(id, tenantId, kind, job), blocking);
    return get(tenantId, id).orElseThrow();
  }

  public Optional<Request> get(String tenantId, String id) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM privacy_requests WHERE tenant_id = :tenant AND id = :id")
        .bind("tenant", tenantId).bind("id", id).map((rs, ctx) -> row(rs)).findOne());
  }

  public List<Request> list(String tenantId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM privacy_requests WHERE tenant_id = :tenant ORDER BY created_at DESC LIMIT 200")
        .bind("tenant", tenantId).map((rs, ctx) -> row(rs)).list());
  }

  /** Runs a job and records its status and outcome. Runs again from the start after a failure. */
  private void run(String id, String tenantId, String kind, Job job) {
    setStatus(id, "running", null, null);
    try {
      Outcome outcome = job.run(id);
      Instant at = clock.instant();
      jdbi.useTransaction(handle -> {
        setStatus(handle, id, "done", at, outcome.result());
        audit.record(handle, Caller.system("privacy"), new AuditLog.Change(tenantId, outcome.auditAction(),
            "privacy_request", id, null, outcome.auditAfter()));
      });
    } catch (Exception e) {
      log.warn("Privacy request {} ({}) of tenant {} failed; asking again runs it again: {}", id, kind, tenantId,
          e.toString());
      setStatus(id, "failed", clock.instant(), Map.of("error", "the request did not complete; ask again"));
    }
  }

  /** The shopper's erasure: find them, run every step, shred the keys last. */
  private Outcome eraseShopper(String id, String tenantId, ShopperDirectory.ReferenceType type, String value)
      throws Exception {
    ErasureTarget target = directory.find(tenantId, type, value);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("subjects", target.subjectIds().size());
    result.put("tickets", target.ticketIds().size());
    result.put("bookings", target.bookingIds().size());
    result.put("rooms", target.roomIds().size());
    Map<String, Integer> stores = new LinkedHashMap<>();
    if (!target.isEmpty()) {
      for (ErasureStep step : steps) stores.put(step.store(), step.erase(target));
    }
    result.put("stores", stores);
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("requestId", id);
    after.put("ticketIds", List.copyOf(target.ticketIds()));
    after.put("bookingIds", List.copyOf(target.bookingIds()));
    after.put("roomIds", List.copyOf(target.roomIds()));
    after.put("erasedAt", clock.instant().toString());
    return new Outcome(result, "subject.erased", after);
  }

  private void setStatus(String id, String status, Instant finishedAt, Map<String, Object> result) {
    jdbi.useHandle(handle -> setStatus(handle, id, status, finishedAt, result));
  }

  private static void setStatus(Handle handle, String id, String status, Instant finishedAt, Map<String, Object> result) {
    handle.createUpdate("UPDATE privacy_requests SET status = :status, finished_at = :at, result = :result WHERE id = :id")
        .bind("status", status).bind("at", finishedAt).bind("result", result == null ? null : Json.write(result))
        .bind("id", id).execute();
  }

  private Optional<Request> find(String tenantId, String kind, String referenceType, String hash) {
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT * FROM privacy_requests WHERE tenant_id = :tenant AND kind = :kind AND reference_type = :type
              AND reference_hash = :hash""")
        .bind("tenant", tenantId).bind("kind", kind).bind("type", referenceType).bind("hash", hash)
        .map((rs, ctx) -> row(rs)).findOne());
  }

  @SuppressWarnings("unchecked")
  private static Request row(java.sql.ResultSet rs) throws java.sql.SQLException {
    String result = rs.getString("result");
    java.sql.Timestamp finished = rs.getTimestamp("finished_at");
    return new Request(rs.getString("id"), rs.getString("tenant_id"), rs.getString("kind"),
        rs.getString("reference_type"), rs.getString("status"), rs.getString("requested_by"),
        rs.getTimestamp("created_at").toInstant(), finished == null ? null : finished.toInstant(),
        result == null ? null : Json.read(result, Map.class));
  }

  static String referenceHash(String tenantId, ShopperDirectory.ReferenceType type, String value) {
    String normal = switch (type) {
      case EMAIL -> ShopperDirectory.normalEmail(value);
      case PHONE -> ShopperDirectory.normalPhone(value);
      default -> value.strip();
    };
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest((tenantId + "\n" + type + "\n" + normal).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A step of plain SQL over the target's ids: {@code <subjects>}, {@code <tickets>}, {@code <bookings>}, {@code <all>}. */
  private ErasureStep sql(String store, String statement) {
    return new ErasureStep() {
      @Override
      public String store() {
        return store;
      }

      @Override
      public int erase(ErasureTarget target) {
        return jdbi.withHandle(handle -> handle.createUpdate(statement)
            .bindList("subjects", nonEmpty(target.subjectIds()))
            .bindList("tickets", nonEmpty(target.ticketIds()))
            .bindList("bookings", nonEmpty(target.bookingIds()))
            .bindList("all", nonEmpty(target.allIds()))
            .execute());
      }
    };
  }

  /** IN () is not SQL: an empty set binds one id that matches nothing. */
  private static List<String> nonEmpty(Set<String> ids) {
    return ids.isEmpty() ? List.of("(none)") : List.copyOf(ids);
  }

  private static ErasureStep liveQueue(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return new ErasureStep() {
      @Override
      public String store() {
        return "queue";
      }

      @Override
      public int erase(ErasureTarget target) throws Exception {
        var queue = sharding.entityRefFor(TenantQueue.ENTITY_KEY, target.tenantId());
        int left = 0;
        for (String ticket : target.ticketIds()) {
          TenantQueue.Confirmation reply = queue.<TenantQueue.Confirmation>ask(
                  replyTo -> new TenantQueue.Leave(ticket, replyTo), ASK_TIMEOUT)
              .toCompletableFuture().get(ASK_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
          if (reply instanceof TenantQueue.Confirmed) left++;
        }
        return left;
      }
    };
  }

  private ErasureStep futureBookings(BookingCalendars calendars, Clock clock) {
    return new ErasureStep() {
      @Override
      public String store() {
        return "booking_calendar";
      }

      @Override
      public int erase(ErasureTarget target) throws Exception {
        if (target.bookingIds().isEmpty()) return 0;
        List<String> future = jdbi.withHandle(handle -> handle.createQuery(
                "SELECT booking_id FROM bookings WHERE booking_id IN (<ids>) AND status = 'booked' AND starts_at > :now")
            .bindList("ids", List.copyOf(target.bookingIds())).bind("now", clock.instant()).mapTo(String.class).list());
        int cancelled = 0;
        for (String booking : future) {
          // A refusal (already cancelled or gone) is a reply; a calendar that does not answer fails the step.
          BookingCalendar.BookingReply reply = calendars.<BookingCalendar.BookingReply>ask(target.tenantId(),
                  replyTo -> new BookingCalendar.Cancel(booking, "The shopper's data was erased", false, replyTo))
              .toCompletableFuture().get(ASK_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
          if (reply instanceof BookingCalendar.BookingAccepted) cancelled++;
        }
        return cancelled;
      }
    };
  }
}
