package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.domain.Role;
import io.videoshop.http.Access;
import io.videoshop.http.ApiRoute;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every route of the API, read from the node's own route table (a new route joins by existing),
 * called by tenant A's admin and A's API key against tenant B's resources: always 404, never
 * 403, never data. And by A's agent against A's admin-only routes: 403.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationTest {
  private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

  private TestPlatform platform;
  private ApiClient api;
  private Fixture a;
  private Fixture b;
  private List<ApiRoute> routes;

  /** A tenant with people and one of each resource a route can name. */
  private record Fixture(TestPlatform.TestTenant tenant, String apiKey, String apiKeyId, String widgetKeyId,
      String roomId, String bookingId, String webhookEndpointId, String webhookMessageId,
      String privacyRequestId, String ticketId) {
    String param(ApiRoute route, String name) {
      return switch (name) {
        case "tenantId" -> tenant.id();
        case "userId" -> tenant.agentId();
        case "roomId" -> roomId;
        case "template" -> "invitation";
        case "bookingId" -> bookingId;
        case "ticketId" -> ticketId;
        case "endpointId" -> webhookEndpointId;
        case "messageId" -> webhookMessageId;
        case "requestId" -> privacyRequestId;
        case "keyId" -> route.path().contains("/api-keys/") ? apiKeyId
            : route.path().contains("/widget-keys/") ? widgetKeyId : fail(route, name);
        default -> fail(route, name);
      };
    }

    private static String fail(ApiRoute route, String name) {
      throw new AssertionError("No fixture for {" + name + "} in " + route.method() + " " + route.path()
          + ": teach TenantIsolationTest.Fixture about it");
    }
  }

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres());
    api = platform.api;
    a = fixture("tenant-a");
    b = fixture("tenant-b");
    routes = platform.node.platform().api.table();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  private Fixture fixture(String slug) {
    TestPlatform.TestTenant tenant = platform.tenant(slug);
    var key = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/api-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "all scopes", "scopes", List.copyOf(ApiKeys.SCOPES))).send().json();
    var widget = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/widget-keys").bearer(tenant.adminToken())
        .body(Map.of("name", "store", "allowedOrigins", List.of("https://" + slug + ".example"))).send().json();
    var webhook = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/webhook-endpoints").bearer(tenant.adminToken())
        .body(Map.of("url", "https://" + slug + ".example/hooks")).send().json();
    return new Fixture(tenant, key.get("key").asText(), key.at("/apiKey/id").asText(), widget.get("id").asText(),
        openRoom(tenant), book(tenant, widget.get("publicKey").asText(), "https://" + slug + ".example"),
        webhook.at("/endpoint/id").asText(), api.call("POST", "/api/v1/tenants/" + tenant.id() + "/webhook-endpoints/"
            + webhook.at("/endpoint/id").asText() + "/ping").bearer(tenant.adminToken()).send().json()
            .get("messageId").asText(),
        privacyRequest(tenant), joinQueue(tenant));
  }

  /** A ticket in the tenant's queue, joined as the widget's socket joins (details encrypted first). */
  private String joinQueue(TestPlatform.TestTenant tenant) {
    var system = platform.node.system();
    var vault = io.videoshop.persistence.SharedDatabase.get(system).personalDataVault();
    String subject = "shopper-" + java.util.UUID.randomUUID();
    var details = new io.videoshop.queue.TicketDetails(subject, vault.encrypt(subject, "Shopper"), null, null, null,
        null, java.util.Set.of(), null, null, false);
    var reply = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(system)
        .entityRefFor(io.videoshop.queue.TenantQueue.ENTITY_KEY, tenant.id())
        .<io.videoshop.queue.TenantQueue.JoinReply>ask(replyTo -> new io.videoshop.queue.TenantQueue.Join(details, null,
            replyTo), java.time.Duration.ofSeconds(10))
        .toCompletableFuture().join();
    assertThat(reply).isInstanceOf(io.videoshop.queue.TenantQueue.Queued.class);
    return ((io.videoshop.queue.TenantQueue.Queued) reply).ticketId();
  }

  /** An erasure request of the tenant (for a ticket nobody has: it finds no one). */
  private String privacyRequest(TestPlatform.TestTenant tenant) {
    var asked = api.call("POST", "/api/v1/tenants/" + tenant.id() + "/privacy/erasures").bearer(tenant.adminToken())
        .body(Map.of("ticketId", "no-such-ticket")).send();
    assertThat(asked.status()).as("%s", asked).isEqualTo(202);
    return asked.json().get("id").asText();
  }

  /** A booking with the tenant's agent, made as the widget makes one. */
  private String book(TestPlatform.TestTenant tenant, String widgetKey, String origin) {
    assertThat(api.call("PUT", "/api/v1/tenants/" + tenant.id() + "/agents/" + tenant.agentId() + "/working-hours")
        .bearer(tenant.adminToken()).body(Map.of("takesBookings", true)).send().status()).isEqualTo(200);
    java.time.ZoneId berlin = java.time.ZoneId.of("Europe/Berlin");
    String start = java.time.LocalDate.now(berlin).plusDays(3).atTime(10, 0).atZone(berlin).toInstant().toString();
    var booked = api.call("POST", "/api/v1/widget/bookings").header("X-Widget-Key", widgetKey).header("Origin", origin)
        .body(Map.of("start", start, "name", "Shopper", "email", "shopper@example.com", "consent", true)).send();
    assertThat(booked.status()).as("%s", booked).isEqualTo(201);
    return booked.json().get("bookingId").asText();
  }

  /** A call room of the tenant, opened as its agent's socket would open it. */
  private String openRoom(TestPlatform.TestTenant tenant) {
    String roomId = java.util.UUID.randomUUID().toString();
    var system = platform.node.system();
    var reply = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(system)
        .entityRefFor(io.videoshop.room.CallRoom.ENTITY_KEY, roomId)
        .<io.videoshop.room.CallRoom.JoinReply>ask(replyTo -> new io.videoshop.room.CallRoom.Join(
            io.videoshop.domain.RoomPass.agent(roomId, tenant.id(), "ticket-" + roomId, tenant.agentId(), "shopper-x"),
            system.ignoreRef(), "test", null, 60, 0, replyTo), java.time.Duration.ofSeconds(10))
        .toCompletableFuture().join();
    assertThat(reply).isInstanceOf(io.videoshop.room.CallRoom.Admitted.class);
    return roomId;
  }

  @Test
  void theTableHasTenantRoutesToCheck() {
    assertThat(routes.stream().filter(route -> route.path().contains("{tenantId}")).count()).isGreaterThan(15);
  }

  @Test
  void anotherTenantsResourcesAreNotFoundForUsersAndApiKeys() {
    SoftAssertions softly = new SoftAssertions();
    for (ApiRoute route : routes) {
      if (!route.path().contains("{tenantId}")) continue;
      String path = path(route, (r, name) -> b.param(r, name));
      for (ApiClient.Reply reply : List.of(
          send(route, path, call -> call.bearer(a.tenant().adminToken())),
          send(route, path, call -> call.bearer(a.tenant().ownerToken())),
          send(route, path, call -> call.apiKey(a.apiKey())))) {
        softly.assertThat(reply.status()).as("%s %s -> %s", route.method(), path, reply).isEqualTo(404);
        softly.assertThat(reply.body()).as("%s %s leaks", route.method(), path)
            .doesNotContain("tenant-b.test").doesNotContain("Shop tenant-b");
      }
      // Mail templates are the platform's, not a tenant's: only tenant-owned parameters mix.
      if (PARAM.matcher(route.path()).results().filter(m -> !m.group().equals("{template}")).count() > 1) {
        // A's own tenant in the path, B's resource after it: the handler's query is tenant-scoped.
        String mixed = path(route, (r, name) -> name.equals("tenantId") ? a.param(r, name) : b.param(r, name));
        ApiClient.Reply reply = send(route, mixed, call -> call.bearer(a.tenant().ownerToken()));
        softly.assertThat(reply.status()).as("%s %s -> %s", route.method(), mixed, reply).isEqualTo(404);
        ApiClient.Reply byKey = send(route, mixed, call -> call.apiKey(a.apiKey()));
        softly.assertThat(byKey.status() == 404 || "api_key_not_allowed".equals(byKey.code()))
            .as("%s %s by key -> %s", route.method(), mixed, byKey).isTrue();
      }
    }
    softly.assertAll();
  }

  @Test
  void theOperatorReachesTheSameResourcesSoTheCheckAboveIsNotVacuous() {
    String operator = platform.operatorToken();
    for (ApiRoute route : routes) {
      if (!route.method().equals("GET") || !route.path().contains("{tenantId}")) continue;
      String path = path(route, (r, name) -> b.param(r, name));
      assertThat(send(route, path, call -> call.bearer(operator)).status()).as("%s", path).isEqualTo(200);
    }
  }

  @Test
  void operatorRoutesAreForbiddenToTenantPeopleAndKeys() {
    for (ApiRoute route : routes) {
      if (!(route.access() instanceof Access.OperatorOnly) || route.path().contains("{tenantId}")) continue;
      assertThat(send(route, route.path(), call -> call.bearer(a.tenant().ownerToken())).code())
          .as(route.path()).isEqualTo("operator_only");
      assertThat(send(route, route.path(), call -> call.apiKey(a.apiKey())).code()).isEqualTo("operator_only");
    }
  }

  @Test
  void agentsAreForbiddenAdminRoutesOfTheirOwnTenant() {
    int checked = 0;
    for (ApiRoute route : routes) {
      boolean adminOnly = route.access() instanceof Access.TenantMember member && member.minimumRole() != Role.AGENT;
      if (!adminOnly && !(route.access() instanceof Access.OperatorOnly)) continue;
      String path = path(route, (r, name) -> a.param(r, name));
      ApiClient.Reply reply = send(route, path, call -> call.bearer(a.tenant().agentToken()));
      assertThat(reply.status()).as("%s %s -> %s", route.method(), path, reply).isEqualTo(403);
      checked++;
    }
    assertThat(checked).isGreaterThan(15);
  }

  private ApiClient.Reply send(ApiRoute route, String path, java.util.function.UnaryOperator<ApiClient.Call> auth) {
    ApiClient.Call call = auth.apply(api.call(route.method(), path));
    if (route.takesBody()) call.body("{}");
    return call.send();
  }

  private static String path(ApiRoute route, BiFunction<ApiRoute, String, String> values) {
    Matcher matcher = PARAM.matcher(route.path());
    StringBuilder path = new StringBuilder();
    while (matcher.find()) matcher.appendReplacement(path, values.apply(route, matcher.group(1)));
    matcher.appendTail(path);
    return path.toString();
  }
}
