package io.videoshop.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.domain.Caller;
import io.videoshop.http.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The append-only audit log. Changes are recorded in the same transaction as the change itself
 * (pass the transaction's handle), so a change is never without its entry. Before and after are
 * the public views of what changed (never hashes or secrets).
 */
public final class AuditLog {
  public static final int MAX_PAGE = 200;

  private final Jdbi jdbi;
  private final Clock clock;

  public AuditLog(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** What is being recorded: an action on a target of a tenant (null for platform-wide). */
  public record Change(String tenantId, String action, String targetType, String targetId, Object before, Object after) {}

  public void record(Handle handle, Caller caller, Change change) {
    handle.createUpdate("""
            INSERT INTO audit_log (at, tenant_id, actor_type, actor_id, ip, user_agent, action, target_type,
              target_id, before_state, after_state, request_id)
            VALUES (:at, :tenantId, :actorType, :actorId, :ip, :userAgent, :action, :targetType, :targetId,
              :before, :after, :requestId)""")
        .bind("at", clock.instant())
        .bind("tenantId", change.tenantId())
        .bind("actorType", caller.kind().name().toLowerCase())
        .bind("actorId", caller.id())
        .bind("ip", caller.ip())
        .bind("userAgent", truncate(caller.userAgent(), 500))
        .bind("action", change.action())
        .bind("targetType", change.targetType())
        .bind("targetId", change.targetId())
        .bind("before", change.before() == null ? null : Json.write(change.before()))
        .bind("after", change.after() == null ? null : Json.write(change.after()))
        .bind("requestId", caller.requestId())
        .execute();
  }

  /** Records an event that is not part of another transaction (a failed login, a lockout). */
  public void record(Caller caller, Change change) {
    jdbi.useHandle(handle -> record(handle, caller, change));
  }

  /** Filters of a page; {@code beforeId} is the cursor (entries older than it), newest first. */
  public record Filter(Optional<String> tenantId, Optional<String> actorId, Optional<String> action,
      Optional<String> targetId, Optional<String> requestId, Optional<Instant> from, Optional<Instant> to, Optional<Long> beforeId, int limit) {}

  public record Page(List<AuditEntry> items, Long nextCursor) {}

  public Page page(Filter filter) {
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE 1 = 1");
    filter.tenantId().ifPresent(v -> sql.append(" AND tenant_id = :tenantId"));
    filter.actorId().ifPresent(v -> sql.append(" AND actor_id = :actorId"));
    filter.action().ifPresent(v -> sql.append(" AND action = :action"));
    filter.targetId().ifPresent(v -> sql.append(" AND target_id = :targetId"));
    filter.requestId().ifPresent(v -> sql.append(" AND request_id = :requestId"));
    filter.from().ifPresent(v -> sql.append(" AND at >= :from"));
    filter.to().ifPresent(v -> sql.append(" AND at < :to"));
    filter.beforeId().ifPresent(v -> sql.append(" AND id < :beforeId"));
    sql.append(" ORDER BY id DESC LIMIT :limit");
    List<AuditEntry> rows = jdbi.withHandle(handle -> {
      Query query = handle.createQuery(sql.toString()).bind("limit", filter.limit() + 1);
      filter.tenantId().ifPresent(v -> query.bind("tenantId", v));
      filter.actorId().ifPresent(v -> query.bind("actorId", v));
      filter.action().ifPresent(v -> query.bind("action", v));
      filter.targetId().ifPresent(v -> query.bind("targetId", v));
      filter.requestId().ifPresent(v -> query.bind("requestId", v));
      filter.from().ifPresent(v -> query.bind("from", v));
      filter.to().ifPresent(v -> query.bind("to", v));
      filter.beforeId().ifPresent(v -> query.bind("beforeId", v));
      return query.map((rs, ctx) -> entry(rs)).list();
    });
    List<AuditEntry> items = new ArrayList<>(rows.subList(0, Math.min(rows.size(), filter.limit())));
    Long next = rows.size() > filter.limit() ? items.get(items.size() - 1).id() : null;
    return new Page(items, next);
  }

  private static AuditEntry entry(ResultSet rs) throws SQLException {
    return new AuditEntry(rs.getLong("id"), rs.getTimestamp("at").toInstant(), rs.getString("tenant_id"),
        rs.getString("actor_type"), rs.getString("actor_id"), rs.getString("ip"), rs.getString("user_agent"),
        rs.getString("action"), rs.getString("target_type"), rs.getString("target_id"),
        tree(rs.getString("before_state")), tree(rs.getString("after_state")), rs.getString("request_id"));
  }

  private static JsonNode tree(String json) {
    if (json == null) return null;
    try {
      return Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("audit entry holds invalid JSON", e);
    }
  }

  private static String truncate(String value, int max) {
    return value == null || value.length() <= max ? value : value.substring(0, max);
  }
}
