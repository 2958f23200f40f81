package io.videoshop.access;

import io.videoshop.domain.Caller;
import io.videoshop.domain.DomainError;
import io.videoshop.http.ApiRouter;
import io.videoshop.http.Blocking;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Who a request comes from: {@code Authorization: Bearer <access token>} (verified in memory, its
 * user's token version checked against {@link UserSessions}, cached),
 * or an API key as {@code Authorization: ApiKey <key>} or {@code X-Api-Key: <key>} (looked up,
 * on the blocking dispatcher), or nobody.
 */
public final class Authentication implements ApiRouter.Authenticator {
  private final AccessTokens accessTokens;
  private final ApiKeys apiKeys;
  private final Blocking blocking;
  private final UserSessions sessions;

  public Authentication(AccessTokens accessTokens, ApiKeys apiKeys, Blocking blocking, UserSessions sessions) {
    this.accessTokens = accessTokens;
    this.apiKeys = apiKeys;
    this.blocking = blocking;
    this.sessions = sessions;
  }

  @Override
  public CompletionStage<Caller> authenticate(String authorization, String apiKey, String routeClass, String ip,
      String userAgent) {
    try {
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        AccessTokens.Verified verified = accessTokens.verified(authorization.substring(7).trim(), ip, userAgent);
        return sessions.check(verified.caller().id(), verified.tokenVersion()).thenApply(ok -> verified.caller());
      }
      String key = apiKey;
      if (authorization != null && authorization.regionMatches(true, 0, "ApiKey ", 0, 7)) {
        key = authorization.substring(7).trim();
      } else if (authorization != null) {
        throw DomainError.unauthorized("unsupported_authorization", "Use a Bearer token or an ApiKey");
      }
      if (key == null) return CompletableFuture.completedFuture(Caller.anonymous(ip, userAgent));
      String presented = key;
      return blocking.run(() -> apiKeys.authenticate(presented, routeClass, ip, userAgent));
    } catch (RuntimeException e) { // a refusal (a DomainError) answers as a problem
      return CompletableFuture.failedFuture(e);
    }
  }
}
