package io.videoshop.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The node's Prometheus registry: JVM, process, cluster membership, the database pool, HTTP
 * requests (see {@link HttpMetrics}); domain packages add their own meters to {@link #registry()}.
 */
public final class NodeMetrics implements Extension {

  public static final ExtensionId<NodeMetrics> ID =
      new ExtensionId<>() {
        @Override
        public NodeMetrics createExtension(ActorSystem<?> system) {
          return new NodeMetrics(system);
        }
      };

  public static NodeMetrics get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  private NodeMetrics(ActorSystem<?> system) {
    registry.config().commonTags("node", system.address().hostPort());
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    bindCluster(Cluster.get(system), registry);
    system.getWhenTerminated().thenRun(gcMetrics::close);
  }

  private final Map<String, AtomicInteger> openSockets = new ConcurrentHashMap<>();

  /** The count of open WebSockets of a kind ({@code widget}, {@code agent}, {@code room}). */
  public AtomicInteger openSockets(String kind) {
    return openSockets.computeIfAbsent(kind, k -> registry.gauge("videoshop_websocket_connections",
        io.micrometer.core.instrument.Tags.of("kind", k), new AtomicInteger()));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  private static void bindCluster(Cluster cluster, MeterRegistry registry) {
    for (MemberStatus status : new MemberStatus[] {
        MemberStatus.up(), MemberStatus.joining(), MemberStatus.leaving(), MemberStatus.exiting(),
        MemberStatus.down(), MemberStatus.weaklyUp()}) {
      Gauge.builder("pekko_cluster_members", cluster, c -> countMembers(c, status))
          .description("Members of the cluster as this node sees them, by status")
          .tag("status", status.toString().toLowerCase())
          .register(registry);
    }
    Gauge.builder("pekko_cluster_unreachable_members", cluster,
            c -> c.state().getUnreachable().size())
        .description("Members this node cannot reach")
        .register(registry);
    Gauge.builder("pekko_cluster_self_up", cluster,
            c -> c.selfMember().status() == MemberStatus.up() ? 1 : 0)
        .description("1 when this node is Up in the cluster")
        .register(registry);
  }

  private static double countMembers(Cluster cluster, MemberStatus status) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(member -> member.status() == status)
        .count();
  }
}
