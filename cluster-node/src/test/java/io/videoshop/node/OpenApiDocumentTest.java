package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.videoshop.http.ApiRoute;
import io.videoshop.persistence.TestDatabase;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The served OpenAPI document is valid and names exactly the routes the server has. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentTest {
  private TestPlatform platform;

  @BeforeAll
  void start() {
    platform = new TestPlatform(TestDatabase.h2InMemory());
  }

  @AfterAll
  void stop() throws Exception {
    platform.close();
  }

  @Test
  void theDocumentIsValidOpenApiAndMatchesTheRouteTable() {
    ApiClient.Reply served = platform.api.call("GET", "/api/v1/openapi.json").send();
    assertThat(served.status()).isEqualTo(200);
    assertThat(served.contentType()).isEqualTo("application/json");
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(served.body());
    assertThat(parsed.getMessages()).isEmpty();

    Set<String> documented = new TreeSet<>();
    parsed.getOpenAPI().getPaths().forEach((path, item) ->
        item.readOperationsMap().keySet().forEach(method -> documented.add(method.name() + " " + path)));
    Set<String> served2 = new TreeSet<>();
    for (ApiRoute route : platform.node.platform().api.table()) served2.add(route.method() + " " + route.path());
    assertThat(documented).as("documented routes").isEqualTo(served2);
  }

  @Test
  void everyRouteInTheTableIsServed() {
    String operator = platform.operatorToken();
    for (ApiRoute route : platform.node.platform().api.table()) {
      String path = route.path().replaceAll("\\{[a-zA-Z]+}", "00000000-0000-0000-0000-000000000000");
      ApiClient.Call call = platform.api.call(route.method(), path).bearer(operator);
      if (!route.method().equals("GET") && !route.method().equals("DELETE")) call.body("{}");
      ApiClient.Reply reply = call.send();
      if (reply.contentType() != null && reply.contentType().startsWith("application/zip")) {
        continue; // a bundle (the operator's own export): served, and not a problem
      }
      assertThat(reply.code()).as("%s %s -> %s", route.method(), path, reply)
          .isNotEqualTo("not_found").isNotEqualTo("method_not_allowed");
    }
  }
}
