package io.videoshop.queue;

import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.TenantSettings;
import io.videoshop.tenant.Tenants;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Tells a tenant's queue what the tenant's row says: its queue policy and business hours
 * ({@link TenantQueue.UpdateSettings}; the queue then opens and closes by the hours itself) and
 * its suspension. Sent through Cluster Sharding, so it reaches the queue on whichever node runs
 * it: by the write that changes the tenant ({@link Tenants#onChange}), and once by each
 * {@link QueueFeed} that starts (for a queue that never heard, e.g. of a tenant older than this).
 * The queue persists only what changed.
 */
final class QueueSettingsPush {
  private QueueSettingsPush() {}

  /** Every change of a tenant made on this node is pushed to its queue right after the write. */
  static void register(ActorSystem<?> system, Tenants tenants) {
    tenants.onChange(tenantId -> tenants.find(tenantId).ifPresent(tenant -> push(system, tenant)));
  }

  static void push(ActorSystem<?> system, Tenant tenant) {
    EntityRef<TenantQueue.Command> queue = ClusterSharding.get(system).entityRefFor(TenantQueue.ENTITY_KEY, tenant.id());
    ActorRef<TenantQueue.Confirmation> ignore = system.ignoreRef();
    queue.tell(new TenantQueue.UpdateSettings(settingsOf(tenant.settings()), ignore));
    queue.tell(new TenantQueue.UpdateSuspension(tenant.suspended(), ignore));
  }

  /** The tenant's queue policy and hours as the queue's settings; what a tenant does not set is the default. */
  static QueueSettings settingsOf(TenantSettings settings) {
    TenantSettings.QueuePolicy policy = settings.queue();
    QueueSettings d = QueueSettings.DEFAULT;
    return new QueueSettings(policy.maxLength(), Duration.ofSeconds(policy.reservationTimeoutSeconds()),
        "round-robin".equals(policy.routingStrategy())
            ? QueueSettings.RoutingStrategy.ROUND_ROBIN : QueueSettings.RoutingStrategy.LONGEST_IDLE,
        d.reconnectGrace(), d.agentReconnectGrace(), Duration.ofSeconds(policy.maxWaitSeconds()),
        new QueueSettings.Hours(settings.businessHours(), settings.zone().getId()));
  }
}
