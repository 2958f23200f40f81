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
    DatabaseSettings database,
    AuthSettings auth,
    BootstrapSettings bootstrap,
    LogSettings log) {

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
    VideoShopSettings settings =
        new VideoShopSettings(
            root.oneOf("profile", Profile.class, Profile.PRODUCTION),
            HttpSettings.read(root.at("http")),
            ClusterSettings.read(root.at("cluster")),
            DatabaseSettings.read(root.at("database")),
            AuthSettings.read(root.at("auth")),
            BootstrapSettings.read(root.at("bootstrap")),
            LogSettings.read(root.at("log")));
    List<String> problems = root.problems();
    if (!problems.isEmpty()) throw new SettingsException(problems);
    return settings;
  }
}
