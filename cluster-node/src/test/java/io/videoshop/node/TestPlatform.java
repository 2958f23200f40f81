package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.persistence.TestDatabase;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node with a configured platform operator, and the steps tests repeat: signing in, making a
 * tenant with people in each role, reading the token a mail carried.
 */
public final class TestPlatform implements AutoCloseable {
  public static final String OPERATOR_EMAIL = "operator@test.videoshop.local";
  public static final String PASSWORD = "correct horse battery";

  public final TestDatabase database;
  public final VideoShopNode node;
  public final ApiClient api;
  /** Where the node's mail goes (the file transport), unless a test configures SMTP. */
  public final MailFolder mail = MailFolder.temporary();
  /** Reads a mailed token (recipient, prefix): from {@link #mail} unless a test delivers mail elsewhere. */
  public volatile java.util.function.BinaryOperator<String> mailbox = mail::awaitToken;

  public TestPlatform(TestDatabase database, String... hoconOverrides) {
    this(database, java.time.Clock.systemUTC(), hoconOverrides);
  }

  /** A node whose services run on {@code clock} (a {@link MovableClock} to reach due times). */
  public TestPlatform(TestDatabase database, java.time.Clock clock, String... hoconOverrides) {
    this.database = database;
    String[] all = new String[hoconOverrides.length + 2];
    all[0] = mail.hocon(); // first: a test's own overrides win
    System.arraycopy(hoconOverrides, 0, all, 1, hoconOverrides.length);
    all[hoconOverrides.length + 1] = "videoshop.bootstrap { operator-email = \"" + OPERATOR_EMAIL
        + "\", operator-password = \"" + PASSWORD + "\" }\nvideoshop.auth.jwt-secret = \"ihhkhFeyb1db-FSwZOnN9iuMybSX3JkTwxahCgZz\"";
    this.node = TestNodes.start(database, clock, all);
    this.api = new ApiClient(node.httpPort());
  }

  /** The node's Prometheus text, from the management port (the HTTP port does not serve it). */
  public String metrics() {
    return new ApiClient(node.managementPort()).call("GET", "/metrics").send().body();
  }

  public String login(String email, String password) {
    ApiClient.Reply reply = api.call("POST", "/api/v1/auth/login").body(Map.of("email", email, "password", password)).send();
    assertThat(reply.status()).as("login of %s: %s", email, reply).isEqualTo(200);
    return reply.json().get("accessToken").asText();
  }

  public String operatorToken() {
    return login(OPERATOR_EMAIL, PASSWORD);
  }

  /** A tenant with an owner, an admin and an agent, each signed in. */
  public record TestTenant(String id, String slug, String ownerToken, String adminToken, String agentToken,
      String ownerId, String adminId, String agentId) {}

  public TestTenant tenant(String slug) {
    String operator = operatorToken();
    ApiClient.Reply created = api.call("POST", "/api/v1/tenants").bearer(operator)
        .body(Map.of("name", "Shop " + slug, "slug", slug, "timeZone", "Europe/Berlin", "currency", "EUR")).send();
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    String tenantId = created.json().get("id").asText();
    String[] ids = new String[3];
    String[] tokens = new String[3];
    String[] roles = {"owner", "admin", "agent"};
    for (int i = 0; i < roles.length; i++) {
      String email = roles[i] + "@" + slug + ".test";
      ApiClient.Reply invited = api.call("POST", "/api/v1/tenants/" + tenantId + "/invitations").bearer(operator)
          .body(Map.of("email", email, "role", roles[i])).send();
      assertThat(invited.status()).as("%s", invited).isEqualTo(201);
      ApiClient.Reply accepted = api.call("POST", "/api/v1/invitations/accept")
          .body(Map.of("token", mailedToken(email, "inv_"), "displayName", roles[i] + " of " + slug, "password", PASSWORD))
          .send();
      assertThat(accepted.status()).as("%s", accepted).isEqualTo(201);
      ids[i] = accepted.json().get("id").asText();
      tokens[i] = login(email, PASSWORD);
    }
    return new TestTenant(tenantId, slug, tokens[0], tokens[1], tokens[2], ids[0], ids[1], ids[2]);
  }

  /** The newest token with this prefix mailed to this address (read from the delivered mail). */
  public String mailedToken(String recipient, String prefix) {
    return mailbox.apply(recipient, prefix);
  }

  @Override
  public void close() throws Exception {
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    database.close();
  }
}
