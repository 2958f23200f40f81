package io.videoshop.http;

import io.videoshop.config.HttpSettings;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/** Binds the node's routes and unbinds them first when the node shuts down. */
public final class HttpServer {
  /** In-flight requests get this long to finish once the node starts shutting down. */
  private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(8);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, HttpSettings settings, Route route) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(route)
        .thenApply(binding -> binding.addToCoordinatedShutdown(DRAIN_DEADLINE, system));
  }
}
