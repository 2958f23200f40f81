package io.videoshop.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Shards and entities this node hosts, per entity type, sampled every few seconds from the local
 * shard regions ({@code pekko_sharding_shards}, {@code pekko_sharding_entities}).
 */
public final class ShardingMetrics {
  static final Duration EVERY = Duration.ofSeconds(10);

  private ShardingMetrics() {}

  public static void watch(ActorSystem<?> system, MeterRegistry registry, List<EntityTypeKey<?>> types) {
    Map<String, int[]> counts = new ConcurrentHashMap<>();
    for (EntityTypeKey<?> type : types) {
      int[] count = {0, 0};
      counts.put(type.name(), count);
      Gauge.builder("pekko_sharding_shards", count, c -> c[0]).tag("type", type.name())
          .description("Shards of this entity type on this node").register(registry);
      Gauge.builder("pekko_sharding_entities", count, c -> c[1]).tag("type", type.name())
          .description("Entities of this type alive on this node").register(registry);
    }
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(1), EVERY, () -> {
      for (EntityTypeKey<?> type : types) {
        AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(type, replyTo),
                Duration.ofSeconds(5), system.scheduler())
            .thenAccept(state -> {
              int[] count = counts.get(type.name());
              count[0] = state.getShards().size();
              count[1] = state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
            });
      }
    }, system.executionContext());
  }
}
