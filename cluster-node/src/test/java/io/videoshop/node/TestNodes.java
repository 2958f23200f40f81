package io.videoshop.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.videoshop.persistence.TestDatabase;
import io.videoshop.persistence.privacy.TestMasterKeys;

/** Node configuration for tests: free ports, loopback, messages serialized even locally. */
public final class TestNodes {
  private TestNodes() {}

  public static Config config(TestDatabase database, String... hoconOverrides) {
    // A node without an operator writes its setup token to a file: a temporary one, not ./data.
    String setupTokenFile = "videoshop.bootstrap.setup-token-file = \"" + temporarySetupTokenFile() + "\"\n"
        // The same master key on every test node (a test's own overrides, after it, win).
        + "videoshop.privacy.master-key = \"" + TestMasterKeys.NODE_KEY + "\"\n";
    Config overrides = ConfigFactory.parseString(setupTokenFile + String.join("\n", hoconOverrides) + """

        videoshop.http { host = "127.0.0.1", port = 0 }
        videoshop.cluster { host = "127.0.0.1", port = 0 }
        videoshop.management { host = "127.0.0.1", port = 0 }
        pekko.actor.serialize-messages = on
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.coordinated-shutdown.exit-jvm = off
        """);
    return ConfigFactory.load(overrides.withFallback(database.config()).withFallback(ConfigFactory.defaultApplication()));
  }

  private static String temporarySetupTokenFile() {
    try {
      return java.nio.file.Files.createTempDirectory("videoshop-setup").resolve("setup-token").toString()
          .replace("\\", "/");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static VideoShopNode start(TestDatabase database, String... hoconOverrides) {
    return VideoShopNode.start(config(database, hoconOverrides));
  }

  /** A node whose services run on {@code clock} (e.g. a {@link MovableClock}). */
  public static VideoShopNode start(TestDatabase database, java.time.Clock clock, String... hoconOverrides) {
    return VideoShopNode.start(config(database, hoconOverrides), clock);
  }
}
