package io.videoshop.access;

import io.videoshop.domain.Role;
import io.videoshop.domain.Caller;
import io.videoshop.config.BootstrapSettings;
import io.videoshop.domain.DomainError;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.TenantSettings;
import io.videoshop.tenant.Tenants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does on a database without a platform operator: create one from configuration, or
 * write a one-time setup token for {@code POST /api/v1/setup} to a file only the node's user reads. With the demo profile it also
 * seeds a demo tenant (an owner, two agents, a widget key for the demo page) and prints how to
 * sign in. Several nodes starting at once race harmlessly: the loser's insert hits a unique key.
 */
public final class FirstStart {
  private static final Logger log = LoggerFactory.getLogger(FirstStart.class);
  public static final String DEMO_SLUG = "demo";
  public static final String DEMO_PASSWORD = "videoshop-demo";
  public static final String DEMO_OPERATOR = "operator@videoshop.local";
  public static final List<String> DEMO_PEOPLE = List.of(
      "owner@demo.videoshop.local", "agent1@demo.videoshop.local", "agent2@demo.videoshop.local");

  private final Jdbi jdbi;
  private final Tenants tenants;
  private final Users users;
  private final WidgetKeys widgetKeys;
  private final Clock clock;

  public FirstStart(Jdbi jdbi, Tenants tenants, Users users, WidgetKeys widgetKeys, Clock clock) {
    this.jdbi = jdbi;
    this.tenants = tenants;
    this.users = users;
    this.widgetKeys = widgetKeys;
    this.clock = clock;
  }

  public record Setup(String token, String email, String password, String displayName) {}

  private static final Caller SYSTEM = Caller.system("first-start");
  private volatile Path setupTokenFile;

  /**
   * Writes the token to a new file only the node's user may read (rw-------, set as it is
   * created, so no other user can open it in between). Where POSIX permissions do not exist the
   * file is still written, with the platform's defaults.
   */
  static Path writeSetupToken(Path file, String token) {
    try {
      Path absolute = file.toAbsolutePath();
      if (absolute.getParent() != null) Files.createDirectories(absolute.getParent());
      Files.deleteIfExists(absolute);
      try {
        Files.createFile(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(absolute);
      }
      Files.writeString(absolute, token + "\n", StandardCharsets.UTF_8);
      return absolute;
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the setup token to " + file + " (videoshop.bootstrap.setup-token-file): "
          + e.getMessage(), e);
    }
  }

  /** Returns the setup token when it printed one. */
  public Optional<String> run(BootstrapSettings bootstrap, boolean demo, String publicBaseUrl) {
    Optional<String> setupToken = Optional.empty();
    if (!hasOperator()) {
      if (bootstrap.hasOperator()) {
        createOperator(bootstrap.operatorEmail(), bootstrap.operatorPassword());
        log.info("Created the platform operator {} from configuration", bootstrap.operatorEmail());
      } else if (demo) {
        createOperator(DEMO_OPERATOR, DEMO_PASSWORD);
      } else {
        String token = newSetupToken();
        setupToken = Optional.of(token);
        Path file = writeSetupToken(bootstrap.setupTokenFile(), token);
        setupTokenFile = file;
        // The token itself never goes to the log (log collectors keep lines for months).
        log.warn("""
            No platform operator exists yet. The one-time setup token is in {} (readable by this user only).
            Create the operator within this run: POST {}/api/v1/setup with
              {"token": "<the file's content>", "email": "you@example.com", "password": "<10+ characters>", "displayName": "You"}
            (or set VIDEOSHOP_OPERATOR_EMAIL and VIDEOSHOP_OPERATOR_PASSWORD and restart)""", file, publicBaseUrl);
      }
    }
    if (demo) {
      String widgetKey = seedDemoTenant(publicBaseUrl);
      log.info("""

          ============================ VideoShop demo ============================
          Operator:      {} / {}
          Demo tenant:   owner {} / {}
                         agents {} and {} / {}
          Widget key:    {}
          Demo store:    {}/demo
          Agent console: {}/console   (sign in as an agent above)
          API:           {}/api/v1/openapi.json
          Sign in:       curl -X POST {}/api/v1/auth/login -H 'Content-Type: application/json' \\
                           -d '{"email":"{}","password":"{}"}'
          ========================================================================""",
          hasOperator(DEMO_OPERATOR) ? DEMO_OPERATOR : "(configured)", hasOperator(DEMO_OPERATOR) ? DEMO_PASSWORD : "",
          DEMO_PEOPLE.get(0), DEMO_PASSWORD, DEMO_PEOPLE.get(1), DEMO_PEOPLE.get(2), DEMO_PASSWORD, widgetKey,
          publicBaseUrl, publicBaseUrl, publicBaseUrl, publicBaseUrl, DEMO_PEOPLE.get(0), DEMO_PASSWORD);
    }
    return setupToken;
  }

  /** Creates the operator with a token printed at start; works once. */
  public User setup(Caller caller, Setup request) {
    if (request.token() == null) throw DomainError.invalid("token", "required", "is required");
    User operator = jdbi.inTransaction(handle -> {
      int used = handle.createUpdate("""
              UPDATE operator_setup SET used_at = :now WHERE token_hash = :hash AND used_at IS NULL""")
          .bind("now", clock.instant()).bind("hash", Secrets.sha256(request.token())).execute();
      if (used != 1 || handle.createQuery("SELECT count(*) FROM users WHERE role = 'operator'").mapTo(Long.class).one() > 0) {
        throw DomainError.badRequest("invalid_setup_token", "The setup token is not valid or an operator exists");
      }
      return users.create(handle, caller, null, request.email(), request.displayName(), Role.OPERATOR, request.password());
    });
    deleteSetupTokenFile();
    return operator;
  }

  private void deleteSetupTokenFile() {
    Path file = setupTokenFile;
    if (file == null) return;
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Could not delete the used setup token file {}: {}", file, e.getMessage());
    }
  }

  private boolean hasOperator() {
    return jdbi.withHandle(handle -> handle.createQuery("SELECT count(*) FROM users WHERE role = 'operator'")
        .mapTo(Long.class).one()) > 0;
  }

  private boolean hasOperator(String email) {
    return jdbi.withHandle(handle -> handle.createQuery("SELECT count(*) FROM users WHERE role = 'operator' AND email = :e")
        .bind("e", email).mapTo(Long.class).one()) > 0;
  }

  private void createOperator(String email, String password) {
    ignoringRaces(() -> jdbi.useTransaction(handle ->
        users.create(handle, SYSTEM, null, email, "Platform operator", Role.OPERATOR, password)));
  }

  private String newSetupToken() {
    String token = Secrets.newSecret("setup_");
    jdbi.useTransaction(handle -> {
      handle.createUpdate("DELETE FROM operator_setup WHERE used_at IS NULL").execute();
      handle.createUpdate("INSERT INTO operator_setup (token_hash, created_at) VALUES (:hash, :now)")
          .bind("hash", Secrets.sha256(token)).bind("now", clock.instant()).execute();
    });
    return token;
  }

  private String seedDemoTenant(String publicBaseUrl) {
    Optional<String> existing = jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM tenants WHERE slug = :slug")
        .bind("slug", DEMO_SLUG).mapTo(String.class).findOne());
    if (existing.isEmpty()) {
      ignoringRaces(() -> jdbi.useTransaction(handle -> {
        Tenant tenant = tenants.create(handle, SYSTEM, new Tenants.CreateTenant("Demo Store", DEMO_SLUG, "UTC", "EUR"));
        users.create(handle, SYSTEM, tenant.id(), DEMO_PEOPLE.get(0), "Olivia Owner", Role.OWNER, DEMO_PASSWORD);
        users.create(handle, SYSTEM, tenant.id(), DEMO_PEOPLE.get(1), "Alex Agent", Role.AGENT, DEMO_PASSWORD);
        users.create(handle, SYSTEM, tenant.id(), DEMO_PEOPLE.get(2), "Sam Agent", Role.AGENT, DEMO_PASSWORD);
      }));
    }
    String tenantId = jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM tenants WHERE slug = :slug")
        .bind("slug", DEMO_SLUG).mapTo(String.class).one());
    TenantSettings settings = tenants.find(tenantId).orElseThrow().settings();
    int port = java.net.URI.create(publicBaseUrl).getPort();
    List<String> demoOrigins = List.of(publicBaseUrl, "http://localhost:" + port, "http://127.0.0.1:" + port).stream()
        .distinct().toList();
    if (!settings.allowedOrigins().containsAll(demoOrigins)) {
      // The demo store page is served by the node itself: its origin must be allowed.
      tenants.replaceSettings(SYSTEM, tenantId, new TenantSettings(settings.timeZone(), settings.currency(),
          settings.businessHours(), settings.queue(), demoOrigins, settings.calls(), settings.widget()));
    }
    List<WidgetKeys.WidgetKey> keys = widgetKeys.list(tenantId).stream().filter(key -> key.revokedAt() == null).toList();
    if (!keys.isEmpty()) return keys.get(keys.size() - 1).publicKey();
    return widgetKeys.create(SYSTEM, tenantId, new WidgetKeys.CreateWidgetKey("Demo store page", List.of())).publicKey();
  }

  private static void ignoringRaces(Runnable work) {
    try {
      work.run();
    } catch (DomainError e) {
      if (!"email_taken".equals(e.code()) && !"slug_taken".equals(e.code())) throw e;
    }
  }
}
