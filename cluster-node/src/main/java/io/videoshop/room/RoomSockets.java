package io.videoshop.room;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import io.videoshop.access.RoomTokens;
import io.videoshop.domain.DomainError;
import io.videoshop.domain.RoomPass;
import io.videoshop.http.ApiError;
import io.videoshop.access.SocketTickets;
import io.videoshop.access.UserSessions;
import io.videoshop.config.TrustedProxies;
import io.videoshop.http.ApiRouter;
import io.videoshop.http.Blocking;
import io.videoshop.http.RequestIds;
import io.videoshop.http.Sockets;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /ws/room?ticket=<ticket>}: only with a one-time ticket for a valid room token ({@link SocketTickets}) (401 before the upgrade
 * otherwise); each connection is a {@link RoomSession}.
 */
public final class RoomSockets {
  private final ActorSystem<?> system;
  private final RoomTokens roomTokens;
  private final IceServers iceServers;
  private final Tenants tenants;
  private final PersonalDataVault vault;
  private final Blocking blocking;
  private final TrustedProxies trustedProxies;
  private final UserSessions sessions;
  private final SocketTickets tickets;

  public RoomSockets(ActorSystem<?> system, RoomTokens roomTokens, IceServers iceServers, Tenants tenants,
      PersonalDataVault vault, Blocking blocking, TrustedProxies trustedProxies, UserSessions sessions,
      SocketTickets tickets) {
    this.sessions = sessions;
    this.tickets = tickets;
    this.system = system;
    this.roomTokens = roomTokens;
    this.iceServers = iceServers;
    this.tenants = tenants;
    this.vault = vault;
    this.blocking = blocking;
    this.trustedProxies = trustedProxies;
  }

  public Route route() {
    return pathPrefix("ws", () -> path("room", () -> parameterOptional("ticket", ticket -> parameterOptional("token",
        inUrl -> optionalHeaderValueByName("User-Agent", userAgent -> extractRequest(request -> {
          if (inUrl.isPresent()) {
            return complete(ApiRouter.problem(SocketTickets.tokenInUrl("POST /api/v1/rooms/socket-ticket")));
          }
          if (ticket.isEmpty()) {
            return complete(ApiRouter.problem(ApiError.unauthorized("unauthenticated",
                "Connect with ?ticket=<ticket from POST /api/v1/rooms/socket-ticket>")));
          }
          return onSuccess(blocking.run(() -> tickets.useForRoom(ticket.get())), admitted -> admitted.isEmpty()
              ? complete(ApiRouter.problem(SocketTickets.refused()))
              : admit(admitted.get(), request, userAgent));
        }))))));
  }

  private Route admit(RoomTokens.Admission admission, HttpRequest request, Optional<String> userAgent) {
    RoomPass pass = admission.pass();
    String ip = ApiRouter.clientAddress(request, trustedProxies);
    // An agent's pass ends with the agent's sessions (deactivated, demoted, signed out everywhere).
    CompletionStage<Optional<DomainError>> refusal = pass.isAgent()
        ? sessions.refusal(pass.agentId(), admission.agentTokenVersion())
        : CompletableFuture.completedFuture(Optional.empty());
    Sockets.Owner owner = pass.isAgent() ? new Sockets.Owner(pass.agentId(), null) : null;
    return onSuccess(refusal, refused -> refused.isPresent() ? complete(ApiRouter.problem(refused.get()))
        : onSuccess(blocking.run(() -> tenants.find(pass.tenantId())), tenant -> tenant.isEmpty()
            ? complete(ApiRouter.problem(ApiError.notFound("tenant_not_found", "The room's tenant is gone")))
            : handleWebSocketMessages(Sockets.flow(system, "room", owner, out -> RequestIds.forSession(
                RequestIds.of(request), RoomSession.Command.class, RoomSession.create(
                    new RoomSession.Opening(pass, ip, userAgent.orElse(null), policy(tenant),
                        iceServers.forParticipant(pass.participantId())),
                    out, ClusterSharding.get(system).entityRefFor(CallRoom.ENTITY_KEY, pass.roomId()), vault,
                    blocking.executor())), RoomSession.FromClient::new))));
  }

  private static io.videoshop.tenant.TenantSettings.CallPolicy policy(Optional<Tenant> tenant) {
    return tenant.orElseThrow().settings().callPolicy();
  }
}
