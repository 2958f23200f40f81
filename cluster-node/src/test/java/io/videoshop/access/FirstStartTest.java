package io.videoshop.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.config.BootstrapSettings;
import io.videoshop.node.ApiClient;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FirstStartTest {

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void withoutAConfiguredOperatorAOneTimeSetupTokenCreatesOne(TestDatabase.Kind kind) throws Exception {
    try (TestDatabase database = TestDatabase.create(kind)) {
      VideoShopNode node = TestNodes.start(database);
      try {
        ApiClient api = new ApiClient(node.httpPort());
        // The node printed a token at start; asking again replaces it with a fresh one.
        Optional<String> token = node.platform().firstStart.run(new BootstrapSettings("", ""), false, "http://x");
        assertThat(token).isPresent();
        Map<String, String> setup = Map.of("token", token.get(), "email", "root@example.com",
            "password", "a long operator passphrase", "displayName", "Root");
        ApiClient.Reply created = api.call("POST", "/api/v1/setup").body(setup).send();
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.json().get("role").asText()).isEqualTo("operator");
        assertThat(api.call("POST", "/api/v1/setup").body(setup).send().code()).isEqualTo("invalid_setup_token");
        assertThat(node.platform().firstStart.run(new BootstrapSettings("", ""), false, "http://x"))
            .as("no token once an operator exists").isEmpty();
        ApiClient.Reply login = api.call("POST", "/api/v1/auth/login")
            .body(Map.of("email", "root@example.com", "password", "a long operator passphrase")).send();
        assertThat(login.status()).isEqualTo(200);
      } finally {
        node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void theDemoProfileSeedsATenantWhosePeopleCanSignInAtOnce(TestDatabase.Kind kind) throws Exception {
    try (TestDatabase database = TestDatabase.create(kind)) {
      for (int start = 1; start <= 2; start++) { // the second start finds the seed and adds nothing
        VideoShopNode node = TestNodes.start(database, "videoshop.profile = demo");
        try {
          ApiClient api = new ApiClient(node.httpPort());
          for (String email : FirstStart.DEMO_PEOPLE) {
            ApiClient.Reply login = api.call("POST", "/api/v1/auth/login")
                .body(Map.of("email", email, "password", FirstStart.DEMO_PASSWORD)).send();
            assertThat(login.status()).as("%s: %s", email, login).isEqualTo(200);
          }
          assertThat(api.call("POST", "/api/v1/auth/login")
              .body(Map.of("email", FirstStart.DEMO_OPERATOR, "password", FirstStart.DEMO_PASSWORD)).send().status())
              .isEqualTo(200);
          var platform = node.platform();
          String tenantId = platform.tenants.list(10, 0).get(0).id();
          assertThat(platform.tenants.list(10, 0)).hasSize(1);
          assertThat(platform.users.list(tenantId)).hasSize(3);
          var keys = platform.widgetKeys.list(tenantId);
          assertThat(keys).hasSize(1);
          assertThat(platform.widgetKeys.check(keys.get(0).publicKey(), "http://localhost:" + node.httpPort()).allowed())
              .as("the demo page served by the node may use the widget").isTrue();
        } finally {
          node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
      }
    }
  }
}
