package io.videoshop.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One recorded change or auth event: who, for which tenant, when, from where, what, before/after,
 * and the request it came with ({@code X-Request-Id}; null for the node's own work).
 */
public record AuditEntry(
    long id, Instant at, String tenantId, String actorType, String actorId, String ip, String userAgent,
    String action, String targetType, String targetId, JsonNode before, JsonNode after, String requestId) {}
