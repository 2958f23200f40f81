package io.videoshop.http;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Runs blocking work (JDBC, password hashing) on the blocking dispatcher, never the default one,
 * with the caller's logging context (the request id) on the worker thread.
 */
public record Blocking(Executor executor) {
  public <T> CompletionStage<T> run(Supplier<T> work) {
    Map<String, String> context = MDC.getCopyOfContextMap();
    if (context == null || context.isEmpty()) return CompletableFuture.supplyAsync(work, executor);
    return CompletableFuture.supplyAsync(() -> {
      Map<String, String> before = MDC.getCopyOfContextMap();
      MDC.setContextMap(context);
      try {
        return work.get();
      } finally {
        if (before == null) MDC.clear(); else MDC.setContextMap(before);
      }
    }, executor);
  }
}
