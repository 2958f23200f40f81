package io.videoshop.metrics;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code /metrics} (Prometheus text) on the management port, next to the probes: that port is
 * reached by the cluster's own network only (the pods' IPs; k8s/ NetworkPolicy), never through
 * the Service or the Ingress, so the public cannot read a node's figures. Registered in
 * management.conf; Pekko Management creates it with the system.
 */
public final class MetricsManagementRoutes implements ManagementRouteProvider {
  private final NodeMetrics metrics;

  public MetricsManagementRoutes(ExtendedActorSystem system) {
    this.metrics = NodeMetrics.get(Adapter.toTyped(system));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return get(() -> path("metrics", () -> complete(HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape())))));
  }
}
