package io.videoshop.room;

import io.videoshop.access.Role;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
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
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Reading calls: a room's full record and timeline, from the room itself. Translation only. */
public final class CallRoutes {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

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

  public static List<ApiRoute> routes(ActorSystem<?> system, PersonalDataVault vault, Blocking blocking) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return List.of(new ApiRoute("GET", "/api/v1/tenants/{tenantId}/calls/{roomId}",
        Access.tenant(Role.ADMIN, "calls:read"), "A call: participants, devices, products, feedback, timeline",
        request -> sharding.entityRefFor(CallRoom.ENTITY_KEY, request.path("roomId"))
            .<CallRoom.CallRecord>ask(CallRoom.GetRecord::new, ASK_TIMEOUT)
            .thenCompose(record -> blocking.run(() -> {
              CallRoom.State state = record.state();
              if (state.room() == null || !state.room().tenantId().equals(request.path("tenantId"))) {
                throw ApiError.notFound("call_not_found", "No call " + request.path("roomId"));
              }
              return ApiResponse.ok(view(record.roomId(), state, vault));
            }))));
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
