package io.videoshop.node;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The node's {@link Readiness} as a Pekko Management readiness check, so {@code /ready} on the
 * management port (the Kubernetes readiness probe) and {@code /health/ready} on the HTTP port give
 * the same answer. Registered in management.conf; Pekko Management creates it with the system.
 * The reasons of a "not ready" are on {@code /health/ready}; management answers 500 without them.
 */
public final class ManagementReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private final Readiness readiness;

  public ManagementReadinessCheck(ActorSystem system) {
    this.readiness = new Readiness(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return readiness.check().thenApply(Readiness.Report::isReady);
  }
}
