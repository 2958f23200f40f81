package io.videoshop.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.domain.Caller;
import io.videoshop.config.TrustedProxies;
import io.videoshop.node.ApiClient;
import io.videoshop.node.LogEvents;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every response names its request (X-Request-Id, problem+json's instance), the id is in the log
 * lines of the request's work, also on the blocking dispatcher, and in the audit entries it makes.
 */
class RequestIdsTest {
  private static final String ID = "[a-z2-9]{20}";

  @Test
  void responsesProblemsAndAuditEntriesCarryTheRequestsId() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.h2InMemory())) {
      ApiClient.Reply unauthenticated = platform.api.call("GET", "/api/v1/tenants/t-1").send();
      String id = unauthenticated.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(id).matches(ID);
      assertThat(unauthenticated.status()).isEqualTo(401);
      assertThat(unauthenticated.json().get("instance").asText()).isEqualTo("urn:videoshop:request:" + id);

      ApiClient.Reply page = platform.api.call("GET", "/widget.js").send();
      assertThat(page.headers().firstValue("X-Request-Id")).as("pages too").hasValueSatisfying(v -> assertThat(v)
          .matches(ID).isNotEqualTo(id));

      ApiClient.Reply forged = platform.api.call("GET", "/api/v1/tenants/t-1").header("X-Request-Id", "forged-by-client")
          .send();
      assertThat(forged.headers().firstValue("X-Request-Id")).as("not from a trusted proxy: a new id")
          .hasValueSatisfying(v -> assertThat(v).matches(ID));

      TestPlatform.TestTenant tenant = platform.tenant("request-ids");
      ApiClient.Reply changed = platform.api.call("PATCH", "/api/v1/tenants/" + tenant.id()).bearer(tenant.ownerToken())
          .body(Map.of("name", "Request Ids Shop")).send();
      assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
      String changeId = changed.headers().firstValue("X-Request-Id").orElseThrow();
      JsonNode entries = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/audit?requestId=" + changeId)
          .bearer(tenant.ownerToken()).send().json().get("items");
      assertThat(entries).as("the change's audit entry, found by its request id").hasSize(1);
      assertThat(entries.get(0).get("requestId").asText()).isEqualTo(changeId);
      assertThat(entries.get(0).get("action").asText()).startsWith("tenant.");
    }
  }

  @Test
  void theWalletsLinesForARequestCarryItsIdAlsoAfterThePersistAndOnTheAsksAnswer() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.h2InMemory()); LogEvents lines = new LogEvents()) {
      TestPlatform.TestTenant tenant = platform.tenant("wallet-request-ids");
      ApiClient.Reply topUp = platform.api.call("POST", "/api/v1/tenants/" + tenant.id() + "/wallet/top-ups")
          .bearer(platform.operatorToken()).header("Idempotency-Key", "request-ids-1").body(Map.of("amount", 2500))
          .send();
      assertThat(topUp.status()).as(topUp.toString()).isEqualTo(201);
      String id = topUp.headers().firstValue("X-Request-Id").orElseThrow();
      // The credit is asked for when the wallet's open answered (a reply, on a thread without the
      // id); the wallet logs it once the journal has it (a callback after the persist).
      assertThat(requestIdsOf(lines, m -> m.startsWith("The wallet of tenant " + tenant.id() + " is credited 2500")))
          .containsExactly(id);
      JsonNode entries = platform.api.call("GET", "/api/v1/tenants/" + tenant.id() + "/audit?requestId=" + id)
          .bearer(tenant.ownerToken()).send().json().get("items");
      assertThat(entries).as("the top-up's audit entry, found by its request id").hasSize(1);
      assertThat(entries.get(0).get("action").asText()).isEqualTo("wallet.credited");
    }
  }

  @Test
  void aTrustedProxysIdIsKept() throws Exception {
    try (TestPlatform platform = new TestPlatform(TestDatabase.h2InMemory(),
        "videoshop.http.trusted-proxies = \"127.0.0.1/32\"")) {
      ApiClient.Reply reply = platform.api.call("GET", "/api/v1/tenants/t-1").header("X-Request-Id", "ingress-4f2a9c01")
          .send();
      assertThat(reply.headers().firstValue("X-Request-Id")).hasValue("ingress-4f2a9c01");
      assertThat(reply.json().get("instance").asText()).isEqualTo("urn:videoshop:request:ingress-4f2a9c01");
      ApiClient.Reply odd = platform.api.call("GET", "/api/v1/tenants/t-1").header("X-Request-Id", "bad id \"x\"").send();
      assertThat(odd.headers().firstValue("X-Request-Id")).as("an ill-formed id never reaches a log line")
          .hasValueSatisfying(v -> assertThat(v).matches(ID));
    }
  }

  @Test
  void logLinesOfARequestCarryItsIdAlsoOnTheBlockingDispatcherAndInUnexpectedFailures() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "request-ids");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Blocking blocking = new Blocking(pool);
    org.slf4j.Logger log = LoggerFactory.getLogger("io.videoshop.test.RequestIds");
    ApiRouter router = new ApiRouter(List.of(
        ApiRoute.blocking("GET", "/api/v1/logged", Access.PUBLIC, "logs on the blocking dispatcher", blocking, request -> {
          log.info("working on it");
          return ApiResponse.ok(Map.of("ok", true));
        }),
        new ApiRoute("GET", "/api/v1/broken", Access.PUBLIC, "fails unexpectedly",
            request -> CompletableFuture.failedFuture(new IllegalStateException("boom")))),
        (authorization, apiKey, routeClass, ip, userAgent) -> CompletableFuture.completedFuture(Caller.anonymous(ip, userAgent)),
        TrustedProxies.NONE);
    try (LogEvents lines = new LogEvents()) {
      ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0)
          .bind(RequestIds.route(TrustedProxies.NONE, router::route)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      ApiClient client = new ApiClient(binding.localAddress().getPort());

      ApiClient.Reply logged = client.call("GET", "/api/v1/logged").send();
      assertThat(logged.status()).isEqualTo(200);
      String loggedId = logged.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(requestIdsOf(lines, "working on it")).containsExactly(loggedId);

      ApiClient.Reply broken = client.call("GET", "/api/v1/broken").send();
      assertThat(broken.status()).isEqualTo(500);
      String brokenId = broken.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(broken.json().get("instance").asText()).isEqualTo("urn:videoshop:request:" + brokenId);
      assertThat(requestIdsOf(lines, "Unexpected failure serving a request")).containsExactly(brokenId);

      // Work handed to the blocking executor itself (as socket sessions do) runs with the caller's id too.
      CompletableFuture<String> handedIn = RequestIds.withMdc("session-4f2a9c01", () -> CompletableFuture.supplyAsync(
          () -> org.slf4j.MDC.get(RequestIds.MDC_KEY), blocking.executor()));
      assertThat(handedIn.get(10, TimeUnit.SECONDS)).isEqualTo("session-4f2a9c01");
      assertThat(CompletableFuture.supplyAsync(() -> org.slf4j.MDC.get(RequestIds.MDC_KEY), blocking.executor())
          .get(10, TimeUnit.SECONDS)).as("and the worker keeps none of it").isNull();
    } finally {
      system.terminate();
      pool.shutdownNow();
    }
  }

  /** The request ids (MDC) of the log lines with this message. */
  private static List<String> requestIdsOf(LogEvents lines, String message) {
    return requestIdsOf(lines, message::equals);
  }

  /** The request ids (MDC) of the log lines whose message matches. */
  private static List<String> requestIdsOf(LogEvents lines, java.util.function.Predicate<String> message) {
    return lines.events().stream().filter(e -> message.test(e.getFormattedMessage()))
        .map(e -> e.getMDCPropertyMap().getOrDefault(RequestIds.MDC_KEY, "none")).toList();
  }
}
