package io.videoshop.queue;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.handleWebSocketMessages;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import io.videoshop.access.AccessTokens;
import io.videoshop.domain.Caller;
import io.videoshop.domain.DomainError;
import io.videoshop.domain.Role;
import io.videoshop.access.SocketTickets;
import io.videoshop.access.UserSessions;
import io.videoshop.access.WidgetKeys;
import io.videoshop.config.TrustedProxies;
import io.videoshop.config.WidgetSettings;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiRouter;
import io.videoshop.http.Blocking;
import io.videoshop.http.ClusterCountsGossip;
import io.videoshop.http.RequestIds;
import io.videoshop.http.Sockets;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.access.RoomTokens;
import io.videoshop.tenant.Tenants;
import io.videoshop.wallet.Wallets;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import io.videoshop.protocol.LiveEvent;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The queue's sockets. {@code /ws/widget?key=<widget key>}: only with a valid key and an
 * {@code Origin} the key allows (else 403 before the upgrade). {@code /ws/agent}: only for a
 * tenant's user, with a one-time ticket ({@code ?ticket=}, from {@link SocketTickets}: browsers
 * cannot set headers on a socket, and a token in the URL would land in access logs) or
 * {@code Authorization: Bearer}. {@code /ws/live}: the same sign-in, for a tenant's owner and
 * admins: the dashboard's live figures ({@link LiveFiguresSession}). Translation only: each connection is a session actor. Widget
 * sockets are capped per client address and per tenant over the cluster ({@link WidgetLimits}: 429
 * {@code too_many_connections}), and their joins per address per minute, also over the cluster ({@code too_many_joins}).
 */
public final class QueueSockets {
  private final ActorSystem<?> system;
  private final WidgetKeys widgetKeys;
  private final AccessTokens accessTokens;
  private final PersonalDataVault vault;
  private final Blocking blocking;
  private final Clock clock;
  private final ClusterSharding sharding;
  private final ActorRef<QueueFeeds.Command> feeds;
  private final RoomTokens roomTokens;
  private final UserSessions sessions;
  private final SocketTickets tickets;
  private final TrustedProxies trustedProxies;
  private final WidgetLimits limits;
  private final BookedArrivals arrivals;
  /** Today's figures of a tenant for the live dashboard (from the reports). */
  private final Function<String, CompletionStage<LiveEvent.Today>> today;
  private final io.videoshop.privacy.Consents consents;
  private static final String TICKET_ROUTE = "POST /api/v1/auth/socket-ticket";

  public QueueSockets(ActorSystem<?> system, Tenants tenants, Wallets wallets, WidgetKeys widgetKeys,
      AccessTokens accessTokens, RoomTokens roomTokens, PersonalDataVault vault, Blocking blocking, Clock clock,
      UserSessions sessions, SocketTickets tickets, TrustedProxies trustedProxies, WidgetSettings widgetSettings,
      Function<String, CompletionStage<LiveEvent.Today>> today, BookedArrivals arrivals,
      io.videoshop.privacy.Consents consents) {
    this.today = today;
    this.arrivals = arrivals;
    this.consents = consents;
    this.trustedProxies = trustedProxies;
    this.limits = new WidgetLimits(widgetSettings, System::nanoTime);
    ClusterCountsGossip.start(system, "widget-connections", limits.connections());
    ClusterCountsGossip.start(system, "widget-joins", limits.joins());
    this.roomTokens = roomTokens;
    this.sessions = sessions;
    this.tickets = tickets;
    this.system = system;
    this.widgetKeys = widgetKeys;
    this.accessTokens = accessTokens;
    this.vault = vault;
    this.blocking = blocking;
    this.clock = clock;
    this.sharding = ClusterSharding.get(system);
    QueueSettingsPush.register(system, tenants);
    this.feeds = system.systemActorOf(QueueFeeds.create(tenants, wallets, vault, blocking.executor(), clock), "queue-feeds",
        Props.empty());
    // The sockets are closed by now (service-unbind, service-requests-done); the feeds go before the
    // shard regions hand off the queues and wallets they follow (QueueFeeds.Stop says why).
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "stop-queue-feeds",
        () -> AskPattern.<QueueFeeds.Command, Done>ask(feeds, QueueFeeds.Stop::new, Duration.ofSeconds(2),
            system.scheduler()).exceptionally(gone -> Done.getInstance()));
  }

  public Route route() {
    return pathPrefix("ws", () -> concat(
        path("widget", () -> parameterOptional("key", key -> optionalHeaderValueByName("Origin", origin ->
            extractRequest(request -> onSuccess(blocking.run(() -> widgetKeys.check(key.orElse(null),
                origin.orElse(null))), admission -> admission.allowed()
                    ? widget(admission.tenantId(), ApiRouter.clientAddress(request, trustedProxies), request)
                    : complete(ApiRouter.problem(ApiError.forbidden(admission.reason(),
                        refusal(admission.reason()))))))))),
        path("agent", () -> extractRequest(request -> signedIn(verified -> {
          Caller caller = verified.caller();
          if (caller.tenantId() == null) {
            return complete(ApiRouter.problem(ApiError.forbidden("not_an_agent",
                "The agent console is for a tenant's people")));
          }
          return handleWebSocketMessages(agent(caller.tenantId(), caller.id(), verified, RequestIds.of(request)));
        }))),
        path("live", () -> extractRequest(request -> signedIn(verified -> {
          Caller caller = verified.caller();
          if (caller.tenantId() == null || !caller.role().atLeast(Role.ADMIN)) {
            return complete(ApiRouter.problem(ApiError.forbidden("forbidden",
                "Live figures are for the tenant's owner and admins")));
          }
          return handleWebSocketMessages(Sockets.flow(system, "live", new Sockets.Owner(caller.id(), verified.expiresAt()),
              out -> RequestIds.forSession(RequestIds.of(request), LiveFiguresSession.Command.class,
                  LiveFiguresSession.create(caller.tenantId(), out, feeds, () -> today.apply(caller.tenantId()))),
              LiveFiguresSession.FromClient::new));
        })))));
  }

  /**
   * A signed-in user's socket: a one-time ticket ({@code ?ticket=}, browsers) or a bearer token
   * (other clients); never a token in the URL; refused when the user's sessions were ended.
   */
  private Route signedIn(java.util.function.Function<AccessTokens.Verified, Route> inner) {
    return parameterOptional("ticket", ticket -> parameterOptional("access_token", inUrl ->
        optionalHeaderValueByName("Authorization", authorization -> {
          if (inUrl.isPresent()) return complete(ApiRouter.problem(SocketTickets.tokenInUrl(TICKET_ROUTE)));
          Optional<String> bearer = authorization
              .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7)).map(value -> value.substring(7));
          CompletionStage<AccessTokens.Verified> admitted;
          try {
            if (ticket.isPresent()) {
              admitted = blocking.run(() -> tickets.useForConsole(ticket.get())
                  .orElseThrow(SocketTickets::refused).verified());
            } else {
              admitted = CompletableFuture.completedFuture(accessTokens.verified(bearer.orElseThrow(() ->
                  DomainError.unauthorized("unauthenticated", "Connect with ?ticket=<ticket from " + TICKET_ROUTE
                      + ">")), null, null));
            }
          } catch (DomainError e) {
            return complete(ApiRouter.problem(e));
          }
          return onSuccess(admitted.thenCompose(verified -> sessions.refusal(verified.caller().id(),
                  verified.tokenVersion()).thenApply(refusal -> refusal.<Object>map(e -> e).orElse(verified)))
              .exceptionally(QueueSockets::refusalOf), outcome -> outcome instanceof DomainError refused
                  ? complete(ApiRouter.problem(refused))
                  : inner.apply((AccessTokens.Verified) outcome));
        })));
  }

  /** A widget socket within the caps (checked only for an upgrade, which then releases its place). */
  private Route widget(String tenantId, String address, HttpRequest request) {
    if (request.getAttribute(AttributeKeys.webSocketUpgrade).isEmpty()) {
      return handleWebSocketMessages(Flow.create()); // rejected as no upgrade, like any socket route
    }
    Optional<String> full = limits.open(address, tenantId);
    if (full.isPresent()) {
      return complete(ApiRouter.problem(ApiError.tooManyRequests("too_many_connections",
          full.get().equals("address") ? "Too many open widget connections from this address"
              : "Too many open widget connections for this shop", Duration.ofSeconds(10))));
    }
    Flow<Message, Message, NotUsed> flow;
    try {
      flow = Sockets.flow(system, "widget", out -> RequestIds.forSession(RequestIds.of(request), WidgetSession.Command.class,
          WidgetSession.create(tenantId, out, sharding.entityRefFor(TenantQueue.ENTITY_KEY, tenantId), feeds, vault,
              blocking.executor(), roomTokens, () -> limits.join(address), arrivals, consents)),
          WidgetSession.FromClient::new);
    } catch (RuntimeException e) {
      limits.closed(address, tenantId);
      throw e;
    }
    return handleWebSocketMessages(flow.watchTermination((notUsed, done) -> {
      done.whenComplete((ok, failure) -> limits.closed(address, tenantId));
      return NotUsed.getInstance();
    }));
  }

  private org.apache.pekko.stream.javadsl.Flow<org.apache.pekko.http.javadsl.model.ws.Message,
      org.apache.pekko.http.javadsl.model.ws.Message, org.apache.pekko.NotUsed> agent(String tenantId, String agentId,
      AccessTokens.Verified verified, String requestId) {
    // The console closes when the user's sessions end or its access token expires (it reconnects with a fresh one).
    return Sockets.flow(system, "agent", new Sockets.Owner(agentId, verified.expiresAt()), out -> RequestIds.forSession(requestId,
        AgentSession.Command.class, AgentSession.create(tenantId, agentId, verified.tokenVersion(), out,
            sharding.entityRefFor(TenantQueue.ENTITY_KEY, tenantId), feeds, roomTokens, clock)),
        AgentSession.FromClient::new);
  }

  /** A refusal to answer before the upgrade; anything else is a failure. */
  private static Object refusalOf(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof DomainError error) return error;
    throw new CompletionException(cause);
  }

  private static String refusal(String reason) {
    return switch (reason) {
      case "widget_key_missing" -> "Connect with ?key=<widget key>";
      case "widget_key_invalid" -> "The widget key is not valid";
      case "tenant_suspended" -> "This shop's live help is not available";
      default -> "The widget key may not be used from this page's origin";
    };
  }
}
