package io.videoshop.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.videoshop.config.SettingsException;
import io.videoshop.config.VideoShopSettings;
import io.videoshop.persistence.DatabaseUnavailableException;
import io.videoshop.persistence.privacy.MasterKeyException;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Starts a node. Exit codes: 2 for wrong configuration (a missing or wrong master key too), 3 for an unreachable database, 1 for any
 * other failure to start. Ctrl-C or SIGTERM runs Pekko's coordinated shutdown and exits.
 */
public final class Main {
  private Main() {}

  /** The JDK's setting for the common pool's size (read once, when the pool is first used). */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    shareTheCommonPool();
    Config config;
    VideoShopSettings settings;
    try {
      config = ConfigFactory.load();
      settings = VideoShopSettings.from(config);
      settings.cluster().transportProblem().ifPresent(problem -> {
        throw new SettingsException(java.util.List.of(problem));
      });
    } catch (SettingsException | ConfigException e) {
      System.err.println("VideoShop cannot start. " + e.getMessage());
      System.exit(2);
      return;
    }
    // Before the first logger exists: logback.xml reads these.
    System.setProperty("videoshop.log.format", settings.log().format().name());
    System.setProperty("videoshop.log.level", settings.log().level().toUpperCase(Locale.ROOT));
    try {
      VideoShopNode node = VideoShopNode.start(config);
      exitWhenTheNodeStops(node.system());
    } catch (MasterKeyException e) {
      System.err.println("VideoShop cannot start. " + e.getMessage());
      System.exit(2);
    } catch (DatabaseUnavailableException e) {
      System.err.println("VideoShop cannot start. " + e.getMessage());
      System.exit(3);
    } catch (RuntimeException e) {
      System.err.println("VideoShop cannot start: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Pekko's CompletionStages (Scala's future converters) run even {@code thenApply} and
   * {@code whenComplete} callbacks on CompletableFuture's default executor, and with a common pool
   * of parallelism 1 (the JDK's default on two processors or fewer, such as a pod limited to 2 CPUs)
   * that executor starts a new thread for every callback. At least 2 keeps them on the common pool.
   * Before anything uses a CompletableFuture; a value set on the command line wins.
   */
  static void shareTheCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  /**
   * The JVM ends with its node: after SIGTERM the shutdown hook is already ending it; when the
   * cluster downs the node (split brain resolver) or it leaves, the process exits so that its
   * supervisor (Kubernetes) starts a fresh one. Exit code 1 when the node was downed.
   */
  private static void exitWhenTheNodeStops(ActorSystem<?> system) {
    system.getWhenTerminated().thenRun(() -> {
      Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
      if (reason.isPresent() && reason.get() == CoordinatedShutdown.jvmExitReason()) return;
      int code = reason.isPresent() && reason.get() == CoordinatedShutdown.clusterDowningReason() ? 1 : 0;
      Thread exit = new Thread(() -> System.exit(code), "videoshop-exit");
      exit.start();
    });
  }
}
