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
import org.apache.pekko.cluster.typed.Cluster;

/** A node is ready to take traffic once it is Up in the cluster and its journal answers. */
final class Readiness {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration JOURNAL_TIMEOUT = Duration.ofSeconds(2);

  private final Cluster cluster;
  private final SharedDatabase database;

  Readiness(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
    this.database = SharedDatabase.get(system);
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
    return database.probeJournal(JOURNAL_TIMEOUT)
        .handle((ok, failure) -> failure == null ? "ok" : rootMessage(failure))
        .thenApply(journalCheck -> {
          Map<String, String> checks = new LinkedHashMap<>();
          checks.put("cluster", clusterCheck);
          checks.put("journal", journalCheck);
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
