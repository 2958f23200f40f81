package io.videoshop.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.videoshop.config.SettingsException;
import io.videoshop.config.VideoShopSettings;
import io.videoshop.persistence.DatabaseUnavailableException;
import java.util.Locale;

/**
 * Starts a node. Exit codes: 2 for wrong configuration, 3 for an unreachable database, 1 for any
 * other failure to start. Ctrl-C or SIGTERM runs Pekko's coordinated shutdown and exits.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Config config;
    VideoShopSettings settings;
    try {
      config = ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on")
          .withFallback(ConfigFactory.load());
      settings = VideoShopSettings.from(config);
    } catch (SettingsException | ConfigException e) {
      System.err.println("VideoShop cannot start. " + e.getMessage());
      System.exit(2);
      return;
    }
    // Before the first logger exists: logback.xml reads these.
    System.setProperty("videoshop.log.format", settings.log().format().name());
    System.setProperty("videoshop.log.level", settings.log().level().toUpperCase(Locale.ROOT));
    try {
      VideoShopNode.start(config);
    } catch (DatabaseUnavailableException e) {
      System.err.println("VideoShop cannot start. " + e.getMessage());
      System.exit(3);
    } catch (RuntimeException e) {
      System.err.println("VideoShop cannot start: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }
}
