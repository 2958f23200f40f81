package io.videoshop.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestPlatform;
import io.videoshop.persistence.TestDatabase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The project's abuse suite, driven by the route table itself (a new route is covered without
 * touching this test): every route gets malformed JSON, {@code null}, bodies of the wrong shape
 * and scalar types, unknown fields, over-long strings, control characters and a body over the
 * limit, as the platform operator (who may call every route). Each answer must be a 4xx
 * problem+json — never a 5xx, never a success — and a read of everything before and after must
 * be the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbuseSuiteTest {
  private static final String LONG = "x".repeat(3_000);
  private static final String OVER_THE_LIMIT = "a body over the limit";
  /** Bodies no route accepts. */
  static final Map<String, String> BAD_BODIES = badBodies();

  private TestPlatform platform;
  private ApiClient api;
  private TestPlatform.TestTenant tenant;
  private String operator;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.postgres(), "videoshop.http.max-request-body = 8k",
        "videoshop.billing.stripe.webhook-secret = \"whsec_abuse_suite_0123456789\"");
    api = platform.api;
    tenant = platform.tenant("abuse");
    operator = platform.operatorToken();
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  private static Map<String, String> badBodies() {
    Map<String, String> bodies = new LinkedHashMap<>();
    bodies.put("malformed JSON", "{\"name\": \"x\",");
    bodies.put("not JSON at all", "name=x&slug=y");
    bodies.put("null", "null");
    bodies.put("an array", "[{\"name\": \"x\"}]");
    bodies.put("a string", "\"x\"");
    bodies.put("a number", "12345");
    bodies.put("two values", "{} {}");
    bodies.put("an unknown field", "{\"zzNotAField\": 1}");
    // Every field name the API uses, each with a value of the wrong JSON type.
    bodies.put("numbers for strings", "{\"email\": 12345, \"name\": 12345, \"token\": 12345, \"refreshToken\": 1,"
        + " \"role\": 1, \"timeZone\": 1, \"kind\": 1, \"password\": 1}");
    bodies.put("strings for numbers", "{\"amount\": \"5000\", \"freeMinutes\": \"60\", \"minuteRate\": \"10\"}");
    bodies.put("objects for lists", "{\"scopes\": {\"a\": 1}, \"allowedOrigins\": {\"a\": 1}}");
    bodies.put("over-long strings", "{\"email\": \"" + LONG + "\", \"name\": \"" + LONG + "\", \"token\": \"" + LONG
        + "\", \"refreshToken\": \"" + LONG + "\", \"timeZone\": \"" + LONG + "\", \"kind\": \"" + LONG + "\"}");
    bodies.put("control characters", "{\"email\": \"a\\u0000@x.test\", \"name\": \"a\\u0000b\", \"token\": \"t\\u0000\","
        + " \"refreshToken\": \"r\\u0000\", \"timeZone\": \"U\\u0000TC\", \"kind\": \"\\u001b\"}");
    bodies.put(OVER_THE_LIMIT, "{\"name\": \"" + "x".repeat(9_000) + "\"}");
    return bodies;
  }

  /** A path for the template: this tenant and its people where the route names them, else unknown ids. */
  private String concrete(String template) {
    return template.replace("{tenantId}", tenant.id()).replace("{userId}", tenant.agentId())
        .replaceAll("\\{[A-Za-z]+}", UUID.randomUUID().toString());
  }

  /** Everything a bad request could have changed, read as the operator. */
  private String everything() {
    String base = "/api/v1/tenants/" + tenant.id();
    StringBuilder all = new StringBuilder();
    for (String path : List.of("/api/v1/tenants", base, base + "/users", base + "/invitations", base + "/api-keys",
        base + "/widget-keys", base + "/wallet", base + "/wallet/ledger", base + "/calls", base + "/audit",
        "/api/v1/audit")) {
      ApiClient.Reply reply = api.call("GET", path).bearer(operator).send();
      assertThat(reply.status()).as("GET %s: %s", path, reply).isEqualTo(200);
      JsonNode json = reply.json();
      if (json instanceof ObjectNode object) object.remove(List.of("asOf", "now", "at")); // the time of reading
      all.append(path).append(' ').append(json).append('\n');
    }
    return all.toString();
  }

  @Test
  void everyRouteRefusesEveryBadBodyWithAProblemAndChangesNothing() {
    String before = everything();
    List<String> served = new ArrayList<>();
    SoftAssertions softly = new SoftAssertions();
    int n = 0;
    for (ApiRoute route : platform.node.platform().api.table()) {
      for (Map.Entry<String, String> bad : BAD_BODIES.entrySet()) {
        String path = concrete(route.path());
        // The server answers a body over the limit and closes that connection; a client of its own
        // keeps the shared client from writing the next request into the closed one.
        ApiClient client = bad.getKey().equals(OVER_THE_LIMIT) ? new ApiClient(platform.node.httpPort()) : api;
        String key = "abuse-" + n++;
        ApiClient.Reply reply;
        try {
          reply = client.call(route.method(), path).bearer(operator).header("Idempotency-Key", key)
              .header("Stripe-Signature", "t=1,v1=00").body(bad.getValue()).send();
        } catch (AssertionError noAnswer) {
          // The server may close a kept-alive connection after refusing a body it did not read;
          // the JDK client then writes the next request into it and gets no bytes back. No answer
          // is no judgement: the same request once more on a connection of its own.
          reply = new ApiClient(platform.node.httpPort()).call(route.method(), path).bearer(operator)
              .header("Idempotency-Key", key).header("Stripe-Signature", "t=1,v1=00").body(bad.getValue()).send();
        }
        String what = route.method() + " " + route.path() + " with " + bad.getKey() + " -> " + reply;
        served.add(what);
        softly.assertThat(reply.status()).as(what).isBetween(400, 499);
        softly.assertThat(reply.contentType()).as(what).isEqualTo("application/problem+json");
        softly.assertThat(reply.contentType().equals("application/problem+json") ? reply.code() : "").as(what)
            .isNotBlank();
      }
    }
    softly.assertThat(everything()).as("everything after the abuse").isEqualTo(before);
    softly.assertAll();
    assertThat(served).hasSize(platform.node.platform().api.table().size() * BAD_BODIES.size());
  }
}
