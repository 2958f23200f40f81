package io.videoshop.http;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Runs blocking work (JDBC, password hashing) on the blocking dispatcher, never the default one,
 * with the caller's logging context (the request id) on the worker thread: {@link #executor} itself
 * carries it, so work handed to it directly (e.g. {@code CompletableFuture.supplyAsync(work,
 * blocking.executor())} in a socket session) logs with the id as {@link #run} does.
 */
public record Blocking(Executor executor) {
  public Blocking {
    executor = carryingMdc(executor);
  }

  public <T> CompletionStage<T> run(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, executor);
  }

  /** Marks an executor that already carries the caller's MDC (so it is not wrapped twice). */
  private interface CarryingMdc extends Executor {}

  /** {@code executor}, running each task with the logging context of the thread that handed it in. */
  static Executor carryingMdc(Executor executor) {
    if (executor instanceof CarryingMdc) return executor;
    return (CarryingMdc) task -> {
      Map<String, String> context = MDC.getCopyOfContextMap();
      if (context == null || context.isEmpty()) {
        executor.execute(task);
        return;
      }
      executor.execute(() -> {
        Map<String, String> before = MDC.getCopyOfContextMap();
        MDC.setContextMap(context);
        try {
          task.run();
        } finally {
          if (before == null) MDC.clear(); else MDC.setContextMap(before);
        }
      });
    };
  }
}
