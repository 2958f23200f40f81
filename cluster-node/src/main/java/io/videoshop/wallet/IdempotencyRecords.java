package io.videoshop.wallet;

import io.videoshop.domain.DomainError;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The first answer to a request sent with an {@code Idempotency-Key}, kept in
 * {@code idempotency_records}: a retry with the same key and the same body gets it again (status
 * and body); the same key with another body is 409 {@code idempotency_key_reused}. Only answers
 * of requests that did something are kept; a refused request may be corrected and sent again.
 */
public final class IdempotencyRecords {
  public static final String HEADER = "idempotency-key";
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.:\\-]{1,100}");

  private final Clock clock;

  public IdempotencyRecords(Clock clock) {
    this.clock = clock;
  }

  /** A stored answer: its status and its JSON body as first sent. */
  public record Answer(int status, String body) {}

  /** The key from the header, checked: 400 {@code idempotency_key_required} or {@code invalid_idempotency_key}. */
  public static String key(Optional<String> header) {
    String key = header.map(String::trim).orElseThrow(() -> DomainError.badRequest("idempotency_key_required",
        "Send an Idempotency-Key header (e.g. a UUID) so that a retry cannot credit twice"));
    if (!KEY.matcher(key).matches()) {
      throw DomainError.badRequest("invalid_idempotency_key",
          "The Idempotency-Key must be 1 to 100 letters, digits, '_', '.', ':' or '-'");
    }
    return key;
  }

  /** The first answer for this key, when the request is the same; 409 when it is another. */
  public Optional<Answer> find(Handle handle, String scope, String key, String requestHash) {
    return handle.createQuery("""
            SELECT request_hash, status, response_body FROM idempotency_records
            WHERE scope = :scope AND idempotency_key = :key""")
        .bind("scope", scope).bind("key", key)
        .map((rs, ctx) -> {
          if (!rs.getString("request_hash").equals(requestHash)) throw reused();
          return new Answer(rs.getInt("status"), rs.getString("response_body"));
        })
        .findOne();
  }

  /**
   * Keeps the answer; when a concurrent request with the same key was first, its answer is the
   * one to give (the wallet's own reference check made sure only one of them credited).
   */
  public Answer save(Handle handle, String scope, String key, String requestHash, Answer answer) {
    Optional<Answer> first = find(handle, scope, key, requestHash);
    if (first.isPresent()) return first.get();
    handle.createUpdate("""
            INSERT INTO idempotency_records (scope, idempotency_key, request_hash, status, response_body, created_at)
            VALUES (:scope, :key, :hash, :status, :body, :now)""")
        .bind("scope", scope).bind("key", key).bind("hash", requestHash).bind("status", answer.status())
        .bind("body", answer.body()).bind("now", clock.instant())
        .execute();
    return answer;
  }

  static DomainError reused() {
    return DomainError.conflict("idempotency_key_reused",
        "This Idempotency-Key was used before with another request; use a new key for a new request");
  }
}
