package io.videoshop.room;

import io.videoshop.domain.Role;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiRequest;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Reading calls: the list from the calls projection, and a room's full record and timeline from
 * the room itself. Translation only.
 */
public final class CallRoutes {

  private CallRoutes() {}

  /** A participant as the API shows them (the IP decrypted, or "[erased]"). */
  public record ParticipantView(String role, Instant firstJoinedAt, Instant lastLeftAt, boolean connected,
      String userAgent, String ip, String connectionType, String platform, String localCandidateType,
      String remoteCandidateType) {}

  public record FeedbackView(int rating, String comment, Instant at) {}

  public record WrapUpView(String outcome, String note, Instant at) {}

  public record TimelineEntry(Instant at, String event, Map<String, Object> details) {}

  public record CallView(String roomId, String tenantId, String ticketId, String agentId, String status,
      Instant createdAt, Instant startedAt, Instant endedAt, long durationSeconds, String endReason, String endedBy,
      long minutes, List<ParticipantView> participants, List<CallRoom.Product> products, List<String> addedToCart,
      FeedbackView feedback, WrapUpView wrapUp, List<TimelineEntry> timeline) {}

  /** A row of the list of calls (from the calls projection, about a second behind the rooms). */
  public record CallSummary(String roomId, String ticketId, String agentId, String status, Instant createdAt,
      Instant startedAt, Instant endedAt, Long durationSeconds, String endReason, long minutes, int productsShown,
      int addedToCart, Integer rating, String outcome) {}

  public record CallPage(List<CallSummary> items, Integer nextOffset) {}

  public static List<ApiRoute> routes(ActorSystem<?> system, Jdbi jdbi, PersonalDataVault vault, Blocking blocking) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Duration askTimeout = io.videoshop.config.ClusterSettings.askTimeout(system.settings().config());
    return List.of(ApiRoute.blocking("GET", "/api/v1/tenants/{tenantId}/calls", Access.tenant(Role.ADMIN, "calls:read"),
        "A page of calls, newest first, filtered by time, agent, status and outcome", blocking,
        request -> ApiResponse.ok(list(jdbi, request))),
        new ApiRoute("GET", "/api/v1/tenants/{tenantId}/calls/{roomId}",
        Access.tenant(Role.ADMIN, "calls:read"), "A call: participants, devices, products, feedback, timeline",
        request -> sharding.entityRefFor(CallRoom.ENTITY_KEY, request.path("roomId"))
            .<CallRoom.CallRecord>ask(CallRoom.GetRecord::new, askTimeout)
            .thenCompose(record -> blocking.run(() -> {
              CallRoom.State state = record.state();
              if (state.room() == null || !state.room().tenantId().equals(request.path("tenantId"))) {
                throw ApiError.notFound("call_not_found", "No call " + request.path("roomId"));
              }
              return ApiResponse.ok(view(record.roomId(), state, vault));
            }))));
  }

  private static CallPage list(Jdbi jdbi, ApiRequest request) {
    int limit = request.intQuery("limit", 50, 1, 200);
    int offset = request.intQuery("offset", 0, 0, 1_000_000);
    Optional<Instant> from = request.instantQuery("from");
    Optional<Instant> to = request.instantQuery("to");
    Optional<String> agent = request.query("agentId");
    Optional<String> status = request.query("status");
    Optional<String> outcome = request.query("outcome");
    StringBuilder sql = new StringBuilder("SELECT * FROM calls WHERE tenant_id = :tenantId");
    from.ifPresent(v -> sql.append(" AND created_at >= :from"));
    to.ifPresent(v -> sql.append(" AND created_at < :to"));
    agent.ifPresent(v -> sql.append(" AND agent_id = :agent"));
    status.ifPresent(v -> sql.append(" AND status = :status"));
    outcome.ifPresent(v -> sql.append(" AND outcome = :outcome"));
    sql.append(" ORDER BY created_at DESC, room_id LIMIT :limit OFFSET :offset");
    List<CallSummary> rows = jdbi.withHandle(handle -> {
      Query query = handle.createQuery(sql.toString()).bind("tenantId", request.path("tenantId"))
          .bind("limit", limit + 1).bind("offset", offset);
      from.ifPresent(v -> query.bind("from", v));
      to.ifPresent(v -> query.bind("to", v));
      agent.ifPresent(v -> query.bind("agent", v));
      status.ifPresent(v -> query.bind("status", v));
      outcome.ifPresent(v -> query.bind("outcome", v));
      return query.map((rs, ctx) -> new CallSummary(rs.getString("room_id"), rs.getString("ticket_id"),
          rs.getString("agent_id"), rs.getString("status"), rs.getTimestamp("created_at").toInstant(),
          instant(rs, "started_at"), instant(rs, "ended_at"), (Long) rs.getObject("duration_seconds", Long.class),
          rs.getString("end_reason"), rs.getLong("minutes"), rs.getInt("products_shown"), rs.getInt("added_to_cart"),
          rs.getObject("rating", Integer.class), rs.getString("outcome"))).list();
    });
    List<CallSummary> items = rows.subList(0, Math.min(limit, rows.size()));
    return new CallPage(List.copyOf(items), rows.size() > limit ? offset + limit : null);
  }

  private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
    java.sql.Timestamp value = rs.getTimestamp(column);
    return value == null ? null : value.toInstant();
  }

  static CallView view(String roomId, CallRoom.State state, PersonalDataVault vault) {
    List<ParticipantView> participants = new ArrayList<>();
    state.participants().forEach((role, p) -> participants.add(new ParticipantView(role, p.firstJoinedAt(),
        p.lastLeftAt(), p.connected(), p.userAgent(), text(vault, p.ip()), p.connectionType(), p.platform(),
        p.localCandidateType(), p.remoteCandidateType())));
    CallRoom.RoomOpened room = state.room();
    CallRoom.CallEnded ended = state.ended();
    return new CallView(roomId, room.tenantId(), room.ticketId(), room.agentId(),
        state.status().name().toLowerCase(Locale.ROOT).replace('_', '-'), room.at(), state.startedAt(),
        ended == null ? null : ended.at(), ended == null ? 0 : ended.durationSeconds(),
        ended == null ? null : ended.reason(), ended == null ? null : ended.endedBy(), state.minutesStarted(),
        participants, state.products(), state.addedToCart(),
        state.feedback() == null ? null : new FeedbackView(state.feedback().rating(),
            text(vault, state.feedback().comment()), state.feedback().at()),
        state.wrapUp() == null ? null : new WrapUpView(state.wrapUp().outcome(), text(vault, state.wrapUp().note()),
            state.wrapUp().at()),
        state.timeline().stream().map(event -> entry(event, vault)).toList());
  }

  private static TimelineEntry entry(CallRoom.Event event, PersonalDataVault vault) {
    Map<String, Object> details = new LinkedHashMap<>();
    if (event instanceof CallRoom.ParticipantJoined joined) {
      details.put("role", joined.role());
      details.put("again", joined.again());
    } else if (event instanceof CallRoom.ParticipantLeft left) {
      details.put("role", left.role());
    } else if (event instanceof CallRoom.DeviceReported device) {
      details.put("role", device.role());
      details.put("connectionType", device.connectionType());
    } else if (event instanceof CallRoom.CandidatesSelected selected) {
      details.put("role", selected.role());
      details.put("local", selected.localCandidateType());
      details.put("remote", selected.remoteCandidateType());
    } else if (event instanceof CallRoom.ProductShown shown) {
      details.put("sku", shown.product().sku());
    } else if (event instanceof CallRoom.AddedToCart added) {
      details.put("sku", added.sku());
    } else if (event instanceof CallRoom.CallEnded ended) {
      details.put("reason", ended.reason());
      if (ended.endedBy() != null) details.put("endedBy", ended.endedBy());
    } else if (event instanceof CallRoom.FeedbackGiven feedback) {
      details.put("rating", feedback.rating());
    } else if (event instanceof CallRoom.WrappedUp wrapUp) {
      details.put("outcome", wrapUp.outcome());
    }
    String name = event.getClass().getSimpleName();
    return new TimelineEntry(event.at(), Character.toLowerCase(name.charAt(0)) + name.substring(1), details);
  }

  private static String text(PersonalDataVault vault, EncryptedPersonalData value) {
    DecryptedPersonalData decrypted = vault.decrypt(value);
    return decrypted == null ? null : decrypted.value();
  }
}
