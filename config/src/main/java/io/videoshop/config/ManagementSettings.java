package io.videoshop.config;

/**
 * Where Pekko Management listens: health checks ({@code /alive}, {@code /ready}) for Kubernetes
 * probes, the read-only cluster routes, and the contact point that cluster bootstrap advertises to
 * the other nodes (so with bootstrap the host must be this node's reachable address).
 */
public record ManagementSettings(String host, int port) {

  boolean isWildcard() {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  static ManagementSettings read(SettingsReader at) {
    String host = at.string("host").trim();
    if (host.isEmpty()) at.problem("host", "must not be empty");
    return new ManagementSettings(host, at.intBetween("port", 0, 65535));
  }
}
