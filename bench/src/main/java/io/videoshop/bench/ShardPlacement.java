package io.videoshop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which node hosts each tenant's queue entity, read from every node's Pekko Management
 * ({@code GET /cluster/shards/TenantQueue}: the shards of that node's region). With it a
 * latency sample can be told apart by how many node boundaries its path crossed.
 */
final class ShardPlacement {
  /** Pekko's default {@code pekko.cluster.sharding.number-of-shards}; the node does not change it. */
  static final int NUMBER_OF_SHARDS = 1000;
  static final int UNKNOWN = -1;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Integer> nodeOfShard;

  private ShardPlacement(Map<String, Integer> nodeOfShard) {
    this.nodeOfShard = nodeOfShard;
  }

  /** Asks every node (by its management port, in node order) which TenantQueue shards it hosts. */
  static ShardPlacement read(List<Integer> managementPorts) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<String, Integer> nodeOfShard = new HashMap<>();
    for (int node = 0; node < managementPorts.size(); node++) {
      URI uri = URI.create("http://127.0.0.1:" + managementPorts.get(node) + "/cluster/shards/TenantQueue");
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
      }
      for (JsonNode shard : JSON.readTree(response.body()).path("regions")) {
        nodeOfShard.put(shard.path("shardId").asText(), node);
      }
    }
    return new ShardPlacement(nodeOfShard);
  }

  /** The index of the node hosting this tenant's queue, or {@link #UNKNOWN}. */
  int nodeOf(String tenantId) {
    return nodeOfShard.getOrDefault(shardOf(tenantId), UNKNOWN);
  }

  /** Pekko's default {@code HashCodeMessageExtractor}: {@code abs(entityId.hashCode % shards)}. */
  static String shardOf(String entityId) {
    return Integer.toString(Math.abs(entityId.hashCode() % NUMBER_OF_SHARDS));
  }
}
