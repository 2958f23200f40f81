package io.videoshop.access;

import static io.videoshop.http.ApiRoute.blocking;
import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.options;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.videoshop.domain.Caller;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** The routes that hand out {@link SocketTickets}: translation only. */
public final class SocketTicketRoutes {
  private SocketTicketRoutes() {}

  public static List<ApiRoute> routes(SocketTickets tickets, AccessTokens accessTokens, Blocking blocking) {
    return List.of(
        blocking("POST", "/api/v1/auth/socket-ticket", Access.SIGNED_IN,
            "A one-time ticket that opens the agent console socket (/ws/agent?ticket=)", blocking, request -> {
              if (request.caller().kind() != Caller.Kind.USER || request.caller().tenantId() == null) {
                throw ApiError.forbidden("not_an_agent", "The agent console is for a tenant's people");
              }
              String bearer = request.headers().getOrDefault("authorization", "").substring(7).trim();
              return ApiResponse.created(tickets.forConsole(accessTokens.verified(bearer, null, null)));
            }),
        blocking("POST", "/api/v1/rooms/socket-ticket", Access.PUBLIC,
            "A one-time ticket that opens a call room socket (/ws/room?ticket=) for a room token", blocking,
            // The shopper's widget runs on the shop's own origin: any origin may ask (no cookies; the token is the body).
            request -> new ApiResponse(201, tickets.forRoom(request.body(SocketTickets.RoomTicketRequest.class)), null,
                Map.of("Access-Control-Allow-Origin", "*"))));
  }

  /** The CORS preflight of the room ticket route, which the widget calls from shops' pages. */
  public static Route preflight() {
    return path(PathMatchers.separateOnSlashes("api/v1/rooms/socket-ticket"), () -> options(() -> complete(
        HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeaders(List.of(
            RawHeader.create("Access-Control-Allow-Origin", "*"),
            RawHeader.create("Access-Control-Allow-Methods", "POST"),
            RawHeader.create("Access-Control-Allow-Headers", "Content-Type"),
            RawHeader.create("Access-Control-Max-Age", "600"))))));
  }
}
