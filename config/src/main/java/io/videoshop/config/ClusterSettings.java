package io.videoshop.config;

import java.util.ArrayList;
import java.util.List;

/**
 * How this node takes part in the Pekko cluster. No seed nodes: the node joins itself and forms a
 * cluster of one.
 */
public record ClusterSettings(String host, int port, List<String> seedNodes) {

  public boolean formsClusterOfItsOwn() {
    return seedNodes.isEmpty();
  }

  static ClusterSettings read(SettingsReader at) {
    String host = at.string("host");
    if (host.isBlank()) at.problem("host", "must not be empty");
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
    return new ClusterSettings(host, at.intBetween("port", 0, 65535), List.copyOf(seeds));
  }
}
