package io.videoshop.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The counting behind the cluster-wide caps, without actors: two nodes' counts handed each other's shares. */
class ClusterCountsTest {
  private static final ClusterCounts.Cap TENANT = new ClusterCounts.Cap("tenant:t1", 4);

  private static ClusterCounts counts() {
    return new ClusterCounts(key -> key.startsWith("address:") ? 2 : 1);
  }

  /** Gossip between the two, as {@link ClusterCountsGossip} does it. */
  private static void exchange(String nameA, ClusterShare.Shared a, String nameB, ClusterShare.Shared b) {
    b.othersAre(Map.of(nameA, a.share()));
    a.othersAre(Map.of(nameB, b.share()));
  }

  @Test
  void aTenantsCapHoldsOverTwoNodesOnceTheyHaveToldEachOther() {
    ClusterCounts a = counts();
    ClusterCounts b = counts();
    assertThat(a.open(List.of(TENANT))).isEmpty();
    assertThat(a.open(List.of(TENANT))).isEmpty();
    assertThat(b.open(List.of(TENANT))).isEmpty();
    exchange("a", a, "b", b);
    assertThat(a.total("tenant:t1")).isEqualTo(3);
    assertThat(b.open(List.of(TENANT))).isEmpty();
    // The fourth is b's own and known to b at once: the fifth is refused there, and on a once told.
    assertThat(b.open(List.of(TENANT))).contains(TENANT);
    assertThat(a.open(List.of(TENANT))).as("a has not heard of b's second yet").isEmpty();
    exchange("a", a, "b", b);
    assertThat(a.open(List.of(TENANT))).contains(TENANT);
    assertThat(a.total("tenant:t1")).isEqualTo(5); // the overshoot of the window, bounded by what b opened in it
    // Closing gives places back everywhere once told; a node that is gone (no share) counts no more.
    a.close(List.of("tenant:t1"));
    a.close(List.of("tenant:t1"));
    exchange("a", a, "b", b);
    assertThat(a.total("tenant:t1")).isEqualTo(3);
    a.othersAre(Map.of());
    assertThat(a.total("tenant:t1")).isEqualTo(1);
  }

  @Test
  void aFullCapTakesNothingAndAnAddressIsSharedFromItsSecondConnection() {
    ClusterCounts a = counts();
    ClusterCounts b = counts();
    ClusterCounts.Cap address = new ClusterCounts.Cap("address:203.0.113.7", 3);
    ClusterCounts.Cap tenant = new ClusterCounts.Cap("tenant:t1", 1);
    assertThat(a.open(List.of(address, tenant))).isEmpty();
    assertThat(a.open(List.of(address, tenant))).contains(tenant);
    assertThat(a.total("address:203.0.113.7")).as("nothing taken by a refused open").isEqualTo(1);
    assertThat(a.share().open()).containsOnlyKeys("tenant:t1");
    assertThat(a.open(List.of(address))).isEmpty();
    assertThat(a.share().open()).containsEntry("address:203.0.113.7", 2);
    b.othersAre(Map.of("a", a.share()));
    assertThat(b.open(List.of(address))).isEmpty();
    assertThat(b.open(List.of(address))).contains(address);
  }

  @Test
  void otherNodesTakesDrainOnlyWhatIsNewSinceTheyWereLastSeen() {
    AtomicLong now = new AtomicLong(1_000);
    Map<String, Long> drainedOnB = new HashMap<>();
    ClusterTakes a = new ClusterTakes(key -> key.startsWith("ip:") ? 2 : 1, 60_000_000_000L, now::get,
        (key, count) -> { });
    ClusterTakes b = new ClusterTakes(key -> key.startsWith("ip:") ? 2 : 1, 60_000_000_000L, now::get,
        (key, count) -> drainedOnB.merge(key, count, Long::sum));
    a.took("tenant:t1");
    a.took("tenant:t1");
    a.took("ip:198.51.100.1");
    exchange("a", a, "b", b);
    assertThat(drainedOnB).isEqualTo(Map.of("tenant:t1", 2L));
    a.took("tenant:t1");
    a.took("ip:198.51.100.1");
    exchange("a", a, "b", b);
    // The address reached its second take: both of its takes arrive at once; the tenant only its new one.
    assertThat(drainedOnB).isEqualTo(Map.of("tenant:t1", 3L, "ip:198.51.100.1", 2L));
    exchange("a", a, "b", b);
    assertThat(drainedOnB).isEqualTo(Map.of("tenant:t1", 3L, "ip:198.51.100.1", 2L));
    // Forgotten after a quiet minute; a new run of takes is counted whole.
    now.addAndGet(61_000_000_000L);
    exchange("a", a, "b", b);
    a.took("tenant:t1");
    exchange("a", a, "b", b);
    assertThat(drainedOnB).containsEntry("tenant:t1", 4L);
  }

  @Test
  void aDrainedBucketRefusesUntilItRefills() {
    AtomicLong now = new AtomicLong(0);
    ClientLimits limits = new ClientLimits(now::get);
    limits.drain("tenant:t1", 5, 3, 60);
    try {
      limits.take("tenant:t1", 3, 60, "slow down");
      throw new AssertionError("a drained bucket let a request through");
    } catch (ApiError refused) {
      assertThat(refused.code()).isEqualTo("rate_limited");
    }
    now.addAndGet(1_000_000_000L); // 60 a minute: one a second
    limits.take("tenant:t1", 3, 60, "slow down");
  }
}
