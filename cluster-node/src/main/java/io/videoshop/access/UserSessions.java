package io.videoshop.access;

import io.videoshop.domain.DomainError;
import io.videoshop.http.Blocking;
import io.videoshop.http.LiveSockets;
import io.videoshop.persistence.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Whether a user's sessions still stand. Each user has a token version that every access token
 * (and an agent's room token) carries; ending a user's sessions (sign-out everywhere, a role
 * change, deactivation, a password reset) raises it, so every token issued before is refused.
 * Each node caches the versions it has checked; a raise is published on a cluster topic once its
 * transaction commits, so every node drops the old version and closes that user's sockets at
 * once. The cache entry's lifetime only bounds the delay should that message be lost.
 */
public final class UserSessions {
  /** A user's sessions up to this token version have ended; told to every node. */
  public record Ended(String userId, int tokenVersion, boolean active) implements CborSerializable {}

  /** A user's current token version and whether it may still be signed in. */
  public record Standing(int tokenVersion, boolean active) {}

  private record Cached(Standing standing, Instant loadedAt) {}

  private final Jdbi jdbi;
  private final Blocking blocking;
  private final Duration cacheTtl;
  private final Clock clock;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  private final ActorRef<Topic.Command<Ended>> topic;

  public UserSessions(ActorSystem<?> system, Jdbi jdbi, Blocking blocking, Duration cacheTtl, Clock clock) {
    this.jdbi = jdbi;
    this.blocking = blocking;
    this.cacheTtl = cacheTtl;
    this.clock = clock;
    this.topic = system.systemActorOf(Topic.create(Ended.class, "user-sessions-ended"), "user-sessions-topic",
        Props.empty());
    LiveSockets sockets = LiveSockets.get(system);
    ActorRef<Ended> listener = system.systemActorOf(Behaviors.receiveMessage((Ended ended) -> {
      remember(ended.userId(), new Standing(ended.tokenVersion(), ended.active()));
      sockets.endSessionsOf(ended.userId());
      return Behaviors.same();
    }), "user-sessions-listener", Props.empty());
    topic.tell(Topic.subscribe(listener));
  }

  /**
   * Ends every session of the user, inside the caller's transaction: raises its token version
   * and, once the transaction commits, tells every node.
   */
  public void endAll(Handle handle, String userId) {
    handle.createUpdate("UPDATE users SET token_version = token_version + 1 WHERE id = :id").bind("id", userId)
        .execute();
    Standing standing = load(handle, userId).orElseThrow();
    handle.afterCommit(() -> {
      remember(userId, standing);
      topic.tell(Topic.publish(new Ended(userId, standing.tokenVersion(), standing.active())));
    });
  }

  /** The version a token issued now carries. */
  static int currentVersion(Handle handle, String userId) {
    return load(handle, userId).map(Standing::tokenVersion).orElse(0);
  }

  /**
   * Completes when a token of this user with this version still stands, else fails with 401
   * {@code token_revoked}.
   */
  public CompletionStage<Void> check(String userId, int tokenVersion) {
    Cached cached = cache.get(userId);
    CompletionStage<Standing> standing = cached != null && cached.loadedAt().plus(cacheTtl).isAfter(clock.instant())
        ? CompletableFuture.completedFuture(cached.standing())
        : blocking.run(() -> {
          Standing loaded = jdbi.withHandle(handle -> load(handle, userId)).orElse(new Standing(Integer.MAX_VALUE, false));
          remember(userId, loaded);
          return loaded;
        });
    return standing.thenAccept(current -> {
      if (!current.active() || tokenVersion < current.tokenVersion()) {
        throw DomainError.unauthorized("token_revoked",
            "This session has been ended (signed out everywhere, role changed or account deactivated); sign in again");
      }
    });
  }

  /** As {@link #check}, for a socket's upgrade: empty when the sessions stand, else the refusal to answer. */
  public CompletionStage<Optional<DomainError>> refusal(String userId, int tokenVersion) {
    return check(userId, tokenVersion).thenApply(ok -> Optional.<DomainError>empty()).exceptionally(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof DomainError error) return Optional.of(error);
      throw new CompletionException(cause);
    });
  }

  private void remember(String userId, Standing standing) {
    Instant now = clock.instant();
    // A late or repeated message never brings back an older version.
    cache.merge(userId, new Cached(standing, now), (old, fresh) ->
        old.standing().tokenVersion() > fresh.standing().tokenVersion() ? new Cached(old.standing(), now) : fresh);
  }

  private static Optional<Standing> load(Handle handle, String userId) {
    return handle.createQuery("SELECT token_version, status FROM users WHERE id = :id").bind("id", userId)
        .map((rs, ctx) -> new Standing(rs.getInt(1), User.ACTIVE.equals(rs.getString(2)))).findOne();
  }
}
