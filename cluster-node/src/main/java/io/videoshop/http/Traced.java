package io.videoshop.http;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.function.Procedure;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.slf4j.MDC;

/**
 * A command that carries the request id of the work that sent it ({@link RequestIds}): a socket
 * session's (the id its upgrade returned) or an HTTP request's. Messages do not carry the sender's
 * logging context (MDC), so an entity on any node logs its work for the command with the id only
 * if the command brings it: {@link #handler} puts it in the MDC while the entity handles the
 * command; a callback after a persist ({@code thenRun}) has it only if wrapped in {@link #carrying}.
 */
public interface Traced {
  /** The request id of the work that made this command; null if none (a timer's, a recovery's). */
  String requestId();

  /**
   * The request id in this thread's logging context, for a command made here to carry (null: none).
   * Inside a session or a route's work it is theirs; inside an entity handling a traced command,
   * that command's, so what the entity sends on for it carries the same id.
   */
  static String current() {
    return MDC.get(RequestIds.MDC_KEY);
  }

  /**
   * {@code stage} (an ask's answer), completed with this thread's request id in the logging
   * context: what runs when it completes (its continuations) logs with the id and the commands
   * made there carry it, although an actor's reply completes it on a thread without the id.
   */
  static <T> CompletionStage<T> continuing(CompletionStage<T> stage) {
    String id = current();
    if (id == null) return stage;
    return stage.whenCompleteAsync((result, failure) -> {}, task -> RequestIds.withMdc(id, () -> {
      task.run();
      return null;
    }));
  }

  /** {@code handler}, handling each {@link Traced} command with its request id in the MDC. */
  static <C, E, S> CommandHandlerWithReply<C, E, S> handler(CommandHandlerWithReply<C, E, S> handler) {
    return (state, command) -> command instanceof Traced traced && traced.requestId() != null
        ? RequestIds.withMdc(traced.requestId(), () -> handler.apply(state, command))
        : handler.apply(state, command);
  }

  /** {@code handler}, handling each {@link Traced} command with its request id in the MDC. */
  static <C, E, S> CommandHandler<C, E, S> handler(CommandHandler<C, E, S> handler) {
    return (state, command) -> command instanceof Traced traced && traced.requestId() != null
        ? RequestIds.withMdc(traced.requestId(), () -> handler.apply(state, command))
        : handler.apply(state, command);
  }

  /**
   * {@code callback} (a {@code thenRun} after a persist), run with the request id current now, in
   * the handler: a callback runs when the journal has answered, no longer inside {@link #handler},
   * so its log lines and the commands it sends would otherwise carry no id.
   */
  static <S> Procedure<S> carrying(Procedure<S> callback) {
    String id = current();
    if (id == null) return callback;
    return state -> {
      String before = current();
      MDC.put(RequestIds.MDC_KEY, id);
      try {
        callback.apply(state);
      } finally {
        if (before == null) MDC.remove(RequestIds.MDC_KEY); else MDC.put(RequestIds.MDC_KEY, before);
      }
    };
  }
}
