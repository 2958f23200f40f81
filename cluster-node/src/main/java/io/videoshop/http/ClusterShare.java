package io.videoshop.http;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.videoshop.persistence.CborSerializable;
import java.util.Map;

/**
 * What one node tells the others about a kind of limit ({@link ClusterCountsGossip}): what is
 * open under each key ({@link ClusterCounts}) and what was taken from each key's rate
 * ({@link ClusterTakes}), of the keys it shares.
 */
public record ClusterShare(Map<String, Integer> open, Map<String, Taken> taken) implements CborSerializable {
  @JsonCreator
  public ClusterShare {
    open = Map.copyOf(open);
    taken = Map.copyOf(taken);
  }

  /** Takes from one key since {@code since} (this node's clock: it only tells one run of takes from the next). */
  public record Taken(long since, long count) implements CborSerializable {
    @JsonCreator
    public Taken {}
  }

  /** Counts that one node shares with the others. */
  public interface Shared {
    /** This node's share now. */
    ClusterShare share();

    /** The other nodes' shares by node, as last told (nodes removed from the cluster left out). */
    void othersAre(Map<String, ClusterShare> byNode);
  }
}
