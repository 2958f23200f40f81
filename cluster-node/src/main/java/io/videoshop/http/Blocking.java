package io.videoshop.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** Runs blocking work (JDBC, password hashing) on the blocking dispatcher, never the default one. */
public record Blocking(Executor executor) {
  public <T> CompletionStage<T> run(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, executor);
  }
}
