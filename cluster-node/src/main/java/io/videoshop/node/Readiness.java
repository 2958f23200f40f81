package io.videoshop.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.persistence.SharedDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ClusterShardingHealthCheck;
import org.apache.pekko.cluster.typed.Cluster;
import scala.jdk.javaapi.FutureConverters;

/**
 * A node is ready to take traffic once it is Up in the cluster, its journal answers, and its
 * shard regions have registered with the coordinator (sharding's own check, over the entity types
 * in {@code pekko.cluster.sharding.healthcheck.names}).
 */
final class Readiness {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration JOURNAL_TIMEOUT = Duration.ofSeconds(2);

  private final Cluster cluster;
  private final SharedDatabase database;
  private final ClusterShardingHealthCheck sharding;

  Readiness(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
    this.database = SharedDatabase.get(system);
    this.sharding = new ClusterShardingHealthCheck(Adapter.toClassic(system));
  }

  record Report(String status, Map<String, String> checks) {
    boolean isReady() {
      return "ready".equals(status);
    }

    String toJson() {
      try {
        return JSON.writeValueAsString(this);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  CompletionStage<Report> check() {
    MemberStatus status = cluster.selfMember().status();
    String clusterCheck = status == MemberStatus.up() ? "ok" : "member status is " + status;
    CompletionStage<String> shardingCheck = FutureConverters.asJava(sharding.apply())
        .handle((registered, failure) -> failure == null && Boolean.TRUE.equals(registered)
            ? "ok" : "shard regions not registered yet");
    return database.probeJournal(JOURNAL_TIMEOUT)
        .handle((ok, failure) -> failure == null ? "ok" : rootMessage(failure))
        .thenCombine(shardingCheck, (journalCheck, shardCheck) -> {
          Map<String, String> checks = new LinkedHashMap<>();
          checks.put("cluster", clusterCheck);
          checks.put("journal", journalCheck);
          checks.put("sharding", shardCheck);
          boolean ready = checks.values().stream().allMatch("ok"::equals);
          return new Report(ready ? "ready" : "not-ready", checks);
        });
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null) root = root.getCause();
    return root instanceof java.util.concurrent.TimeoutException
        ? "no answer within " + JOURNAL_TIMEOUT.toSeconds() + "s"
        : String.valueOf(root.getMessage());
  }
}
