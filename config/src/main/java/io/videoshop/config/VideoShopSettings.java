package io.videoshop.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;

/**
 * All of a node's settings, typed and checked. Loaded from HOCON ({@code reference.conf} in this
 * module lists every key with its default and its environment variable).
 */
public record VideoShopSettings(
    Profile profile,
    HttpSettings http,
    ClusterSettings cluster,
    ManagementSettings management,
    DatabaseSettings database,
    AuthSettings auth,
    CallSettings calls,
    BootstrapSettings bootstrap,
    BillingSettings billing,
    LogSettings log,
    NotificationSettings notifications,
    PasswordResetLimits passwordResetLimits,
    SchedulingSettings scheduling,
    ReportingSettings reporting,
    PushSettings push,
    WidgetSettings widget,
    WebhookSettings webhooks,
    PrivacySettings privacy) {

  public enum Profile {
    /** Seeds a demo tenant on first start, for trying the product at once. */
    DEMO,
    PRODUCTION
  }

  /** Loads {@code application.conf} and {@code reference.conf} with environment overrides. */
  public static VideoShopSettings load() {
    return from(ConfigFactory.load());
  }

  /**
   * Reads and checks {@code videoshop.*} of a resolved config.
   *
   * @throws SettingsException naming every wrong or missing key
   */
  public static VideoShopSettings from(Config config) {
    SettingsReader root = SettingsReader.of(config, "videoshop");
    Profile profile = root.oneOf("profile", Profile.class, Profile.PRODUCTION);
    VideoShopSettings settings =
        new VideoShopSettings(
            profile,
            HttpSettings.read(root.at("http")),
            ClusterSettings.read(root.at("cluster")),
            ManagementSettings.read(root.at("management")),
            DatabaseSettings.read(root.at("database")),
            AuthSettings.read(root.at("auth")),
            CallSettings.read(root.at("calls")),
            BootstrapSettings.read(root.at("bootstrap")),
            BillingSettings.read(root.at("billing")),
            LogSettings.read(root.at("log")),
            NotificationSettings.read(root.at("notifications"), profile == Profile.DEMO),
            PasswordResetLimits.read(root.at("auth").at("password-reset")),
            SchedulingSettings.read(root.at("scheduling")),
            ReportingSettings.read(root.at("reporting")),
            PushSettings.read(root.at("push")),
            WidgetSettings.read(root.at("widget")),
            WebhookSettings.read(root.at("webhooks")),
            PrivacySettings.read(root.at("privacy"), regionOf(root)));
    checkAcrossSections(root, settings);
    checkNoUnknownKeys(config, root);
    List<String> problems = root.problems();
    if (!problems.isEmpty()) throw new SettingsException(problems);
    return settings;
  }

  private static String regionOf(SettingsReader root) {
    String region = root.string("region").trim();
    if (region.isEmpty() || region.length() > 64) root.problem("region", "must be 1 to 64 characters, e.g. eu-central");
    return region;
  }

  /**
   * A key under {@code videoshop} that {@code reference.conf} does not define is a typo or a
   * setting of another version; it would be ignored silently, so it is a problem.
   */
  private static void checkNoUnknownKeys(Config config, SettingsReader root) {
    if (!config.hasPath("videoshop")) return;
    Config known = ConfigFactory.defaultReference(VideoShopSettings.class.getClassLoader());
    config.getConfig("videoshop").entrySet().stream()
        .map(entry -> entry.getKey())
        .filter(key -> !known.hasPathOrNull("videoshop." + key))
        // Pekko configuration that lives under videoshop but is not a setting: persistence.conf's dispatcher.
        .filter(key -> !key.startsWith("blocking-dispatcher."))
        .sorted()
        .forEach(key -> root.problem(key, "is not a setting (see reference.conf for every key)"));
  }

  /** Production starts only with generated secrets; the message names the key, never the value. */
  private static void refuseWeakSecrets(SettingsReader root, VideoShopSettings settings) {
    SettingsReader auth = root.at("auth");
    if (!settings.auth().jwtSecret().isEmpty()) {
      SecretStrength.weakness(settings.auth().jwtSecret()).ifPresent(why -> auth.problem("jwt-secret", why
          + "; generate one, e.g. openssl rand -base64 48 (or use videoshop.profile = demo to try things out)"));
    }
    for (String previous : settings.auth().jwtPreviousSecrets()) {
      SecretStrength.weakness(previous).ifPresent(why -> auth.problem("jwt-previous-secrets", "one of them " + why));
    }
    if (!settings.calls().turnSecret().isEmpty()) {
      SecretStrength.weakness(settings.calls().turnSecret()).ifPresent(why ->
          root.at("calls").at("ice").problem("turn-secret", why + "; generate one, e.g. openssl rand -base64 48"));
    }
  }

  /** Checks that span sections: bootstrap advertises the management address; one node's ports differ. */
  private static void checkAcrossSections(SettingsReader root, VideoShopSettings settings) {
    SettingsReader management = root.at("management");
    if (settings.cluster().discovery() == ClusterSettings.Discovery.KUBERNETES_API) {
      if (settings.management().port() == 0) {
        management.problem("port", "must be a fixed port when videoshop.cluster.discovery = kubernetes-api "
            + "(bootstrap advertises it to the other nodes), was 0");
      }
      if (settings.management().isWildcard()) {
        management.problem("host", "must be this node's reachable address (e.g. the pod IP) when "
            + "videoshop.cluster.discovery = kubernetes-api, was \"" + settings.management().host() + "\"");
      }
    }
    if (settings.profile() == Profile.PRODUCTION) refuseWeakSecrets(root, settings);
    int http = settings.http().port();
    int remoting = settings.cluster().port();
    int own = settings.management().port();
    if (own != 0 && own == http) {
      management.problem("port", "must differ from videoshop.http.port, both are " + own);
    }
    if (own != 0 && own == remoting) {
      management.problem("port", "must differ from videoshop.cluster.port, both are " + own);
    }
    if (http != 0 && http == remoting) {
      root.at("http").problem("port", "must differ from videoshop.cluster.port, both are " + http);
    }
  }
}
