package io.videoshop.config;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How this node takes part in the Pekko cluster and how it finds the other nodes: static seed
 * nodes (local runs; none: the node joins itself and forms a cluster of one), or Pekko Management
 * cluster bootstrap over the Kubernetes API (the pods carrying the bootstrap label selector).
 */
public record ClusterSettings(
    String host, int port, Discovery discovery, List<String> seedNodes, Bootstrap bootstrap, Duration askTimeout,
    Duration resumeAskTimeout, Transport transport, Path tlsDirectory) {

  /** The key read by {@link #askTimeout(Config)}: checked at start like every other setting. */
  public static final String ASK_TIMEOUT_PATH = "videoshop.cluster.ask-timeout";

  /**
   * How long a socket, route or client waits for an entity's answer, from the node's own
   * configuration (the actor system's), so that actors need not carry the settings around.
   */
  public static Duration askTimeout(Config config) {
    return config.getDuration(ASK_TIMEOUT_PATH);
  }

  /** The key read by {@link #resumeAskTimeout(Config)}. */
  public static final String RESUME_ASK_TIMEOUT_PATH = "videoshop.cluster.resume-ask-timeout";

  /**
   * How long a widget session waits for one answer to a shopper's {@code resume} before asking
   * again (a resume only reads the queue, so asking again is harmless); shorter than the ask
   * time-out so that a failover is noticed as soon as the queue is back.
   */
  public static Duration resumeAskTimeout(Config config) {
    return config.getDuration(RESUME_ASK_TIMEOUT_PATH);
  }

  public enum Discovery {
    SEED_NODES,
    KUBERNETES_API
  }

  /** Between nodes: plain TCP, or TLS with mutual authentication from {@link #tlsDirectory}. */
  public enum Transport {
    TCP,
    TLS_TCP
  }

  /** The files a {@link Transport#TLS_TCP} node reads from {@link #tlsDirectory}. */
  public static final List<String> TLS_FILES = List.of("tls.key", "tls.crt", "ca.crt");

  /**
   * Why this node cannot start its transport, or empty: with TLS, every file must be there and
   * readable (checked at start rather than at the first connection, which would fail later and
   * only in the logs).
   */
  public Optional<String> transportProblem() {
    if (transport != Transport.TLS_TCP) return Optional.empty();
    List<String> missing = new ArrayList<>();
    for (String file : TLS_FILES) {
      if (!Files.isReadable(tlsDirectory.resolve(file))) missing.add(file);
    }
    return missing.isEmpty() ? Optional.empty() : Optional.of("videoshop.cluster.transport = tls-tcp needs "
        + String.join(", ", missing) + " in videoshop.cluster.tls-directory (" + tlsDirectory + ")");
  }

  /**
   * Cluster bootstrap with {@code kubernetes-api} discovery: the pods matching
   * {@code podLabelSelector} (its {@code %s} replaced by {@code serviceName}) are the contact
   * points; a new cluster forms only once {@code requiredContactPointNr} of them are seen.
   */
  public record Bootstrap(String serviceName, String podLabelSelector, int requiredContactPointNr) {

    /** The Kubernetes label selector bootstrap queries pods with. */
    public String effectiveLabelSelector() {
      return podLabelSelector.contains("%s") ? podLabelSelector.formatted(serviceName) : podLabelSelector;
    }

    static Bootstrap read(SettingsReader at) {
      String serviceName = at.string("service-name").trim();
      if (serviceName.isEmpty()) at.problem("service-name", "must not be empty");
      String selector = at.string("pod-label-selector").trim();
      if (selector.isEmpty()) {
        at.problem("pod-label-selector", "must not be empty (e.g. app=%s)");
      } else if (selector.replace("%s", "").contains("%")) {
        at.problem("pod-label-selector", "may contain %s (the service name) and no other %, was \"" + selector + "\"");
      }
      return new Bootstrap(serviceName, selector, at.intBetween("required-contact-point-nr", 1, 100));
    }
  }

  public boolean formsClusterOfItsOwn() {
    return discovery == Discovery.SEED_NODES && seedNodes.isEmpty();
  }

  static ClusterSettings read(SettingsReader at) {
    String host = at.string("host");
    if (host.isBlank()) at.problem("host", "must not be empty");
    Discovery discovery = at.oneOf("discovery", Discovery.class, Discovery.SEED_NODES);
    List<String> seeds = new ArrayList<>();
    for (String seed : at.string("seed-nodes").split(",")) {
      String trimmed = seed.trim();
      if (trimmed.isEmpty()) continue;
      int colon = trimmed.lastIndexOf(':');
      if (colon <= 0 || !trimmed.substring(colon + 1).matches("\\d{1,5}")) {
        at.problem("seed-nodes", "each seed must be host:port, was \"" + trimmed + "\"");
      } else {
        seeds.add(trimmed);
      }
    }
    if (discovery == Discovery.KUBERNETES_API && !seeds.isEmpty()) {
      at.problem("seed-nodes", "must be empty when videoshop.cluster.discovery = kubernetes-api "
          + "(cluster bootstrap finds the other nodes), was \"" + String.join(",", seeds) + "\"");
    }
    Transport transport = at.oneOf("transport", Transport.class, Transport.TCP);
    String tlsDirectory = at.string("tls-directory").trim();
    if (tlsDirectory.isEmpty()) at.problem("tls-directory", "must not be empty");
    return new ClusterSettings(host, at.intBetween("port", 0, 65535), discovery, List.copyOf(seeds),
        Bootstrap.read(at.at("bootstrap")), at.positiveDuration("ask-timeout"),
        at.positiveDuration("resume-ask-timeout"), transport,
        Path.of(tlsDirectory.isEmpty() ? "." : tlsDirectory));
  }
}
