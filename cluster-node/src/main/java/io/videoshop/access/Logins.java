package io.videoshop.access;

import io.videoshop.audit.AuditLog;
import io.videoshop.config.AuthSettings;
import io.videoshop.http.ApiError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Sign-in: password logins that hand out an access token and a refresh token, refresh with
 * rotation, logout. Failed logins are counted per account and per client address (in the
 * database, so every node sees them): each failure is answered more slowly, and past the
 * threshold the account or address is locked for a while (429 with Retry-After).
 */
public final class Logins {
  private static final Duration MAX_SLOWDOWN = Duration.ofSeconds(4);

  private final Jdbi jdbi;
  private final AccessTokens accessTokens;
  private final AuditLog audit;
  private final AuthSettings settings;
  private final Clock clock;

  public Logins(Jdbi jdbi, AccessTokens accessTokens, AuditLog audit, AuthSettings settings, Clock clock) {
    this.jdbi = jdbi;
    this.accessTokens = accessTokens;
    this.audit = audit;
    this.settings = settings;
    this.clock = clock;
  }

  public record Credentials(String email, String password) {}

  public record RefreshRequest(String refreshToken) {}

  public record Session(String accessToken, String tokenType, long expiresIn, String refreshToken,
      Instant refreshTokenExpiresAt, User user) {}

  /** A login's result: a session, or an error to answer after {@code delay} (the slowdown). */
  public record Outcome(Session session, ApiError error, Duration delay) {}

  /** Told of each successful sign-in, in its transaction (notifications: a new device). */
  @FunctionalInterface
  public interface SignInListener {
    void signedIn(org.jdbi.v3.core.Handle handle, User user, String userAgent, String clientAddress);
  }

  private volatile SignInListener signInListener = (handle, user, userAgent, clientAddress) -> {};

  public void onSignIn(SignInListener listener) {
    this.signInListener = listener;
  }

  public Outcome login(Caller caller, Credentials credentials) {
    if (credentials.email() == null || credentials.password() == null) {
      throw ApiError.invalid("email", "required", "email and password are required");
    }
    String email = credentials.email().trim().toLowerCase(Locale.ROOT);
    List<String> subjects = List.of("account:" + email, "ip:" + caller.ip());
    Instant now = clock.instant();
    Optional<Instant> lockedUntil = jdbi.withHandle(handle -> lockedUntil(handle, subjects, now));
    if (lockedUntil.isPresent()) {
      throw ApiError.tooManyRequests("login_locked", "Too many failed logins; try again later",
          Duration.between(now, lockedUntil.get()));
    }
    Optional<User> user = jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM users WHERE email = :email")
        .bind("email", email).map((rs, ctx) -> Users.user(rs)).findOne());
    String hash = user.isEmpty() ? null : jdbi.withHandle(handle ->
        handle.createQuery("SELECT password_hash FROM users WHERE id = :id").bind("id", user.get().id())
            .mapTo(String.class).one());
    // Verify even for unknown accounts so that timing does not tell which emails exist.
    boolean passwordMatches = Passwords.matches(credentials.password(), hash != null ? hash : DUMMY_HASH) && hash != null;
    if (!passwordMatches || !user.get().active()) {
      return failed(caller, email, subjects, user, now);
    }
    return jdbi.inTransaction(handle -> {
      for (String subject : subjects) {
        handle.createUpdate("DELETE FROM login_failures WHERE subject = :subject").bind("subject", subject).execute();
      }
      Session session = startSession(handle, user.get(), UUID.randomUUID().toString(), now);
      audit.record(handle, caller.as(user.get()), new AuditLog.Change(user.get().tenantId(), "auth.login", "user",
          user.get().id(), null, null));
      signInListener.signedIn(handle, user.get(), caller.userAgent(), caller.ip());
      return new Outcome(session, null, Duration.ZERO);
    });
  }

  private static final String DUMMY_HASH = Passwords.hash("not-a-real-password-0");

  private Outcome failed(Caller caller, String email, List<String> subjects, Optional<User> user, Instant now) {
    return jdbi.inTransaction(handle -> {
      int worst = 0;
      boolean locked = false;
      for (String subject : subjects) {
        int failures = countFailure(handle, subject, now);
        worst = Math.max(worst, failures);
        if (failures >= settings.maxLoginFailures()) {
          handle.createUpdate("UPDATE login_failures SET locked_until = :until WHERE subject = :subject")
              .bind("until", now.plus(settings.loginLockout())).bind("subject", subject).execute();
          locked = true;
        }
      }
      String tenantId = user.map(User::tenantId).orElse(null);
      String userId = user.map(User::id).orElse(null);
      audit.record(handle, caller, new AuditLog.Change(tenantId, "auth.login_failed", "user", userId, null,
          java.util.Map.of("email", email)));
      if (locked) {
        audit.record(handle, caller, new AuditLog.Change(tenantId, "auth.lockout", "user", userId, null,
            java.util.Map.of("email", email, "lockedFor", settings.loginLockout().toString())));
        return new Outcome(null, ApiError.tooManyRequests("login_locked",
            "Too many failed logins; try again later", settings.loginLockout()), slowdown(worst));
      }
      return new Outcome(null, ApiError.unauthorized("invalid_credentials", "The email or the password is wrong"),
          slowdown(worst));
    });
  }

  /** step * 2^(n-1), at most 4 s. */
  Duration slowdown(int failures) {
    Duration delay = settings.loginSlowdownStep().multipliedBy(1L << Math.min(20, Math.max(0, failures - 1)));
    return delay.compareTo(MAX_SLOWDOWN) > 0 ? MAX_SLOWDOWN : delay;
  }

  private int countFailure(Handle handle, String subject, Instant now) {
    Optional<Object[]> row = handle.createQuery(
            "SELECT failures, window_started_at FROM login_failures WHERE subject = :subject FOR UPDATE")
        .bind("subject", subject)
        .map((rs, ctx) -> new Object[] {rs.getInt(1), rs.getTimestamp(2).toInstant()}).findOne();
    if (row.isEmpty()) {
      handle.createUpdate("""
              INSERT INTO login_failures (subject, failures, window_started_at) VALUES (:subject, 1, :now)""")
          .bind("subject", subject).bind("now", now).execute();
      return 1;
    }
    boolean windowOver = ((Instant) row.get()[1]).plus(settings.loginFailureWindow()).isBefore(now);
    int failures = windowOver ? 1 : (int) row.get()[0] + 1;
    handle.createUpdate("""
            UPDATE login_failures SET failures = :failures, window_started_at = :started, locked_until = NULL
            WHERE subject = :subject""")
        .bind("failures", failures).bind("started", windowOver ? now : row.get()[1]).bind("subject", subject).execute();
    return failures;
  }

  private static Optional<Instant> lockedUntil(Handle handle, List<String> subjects, Instant now) {
    return handle.createQuery("SELECT max(locked_until) FROM login_failures WHERE subject IN (<subjects>)")
        .bindList("subjects", subjects)
        .map((rs, ctx) -> rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant())
        .findOne()
        .filter(until -> until != null && until.isAfter(now));
  }

  /** Exchanges a refresh token for a new session; the old token is used up. */
  public Session refresh(Caller caller, RefreshRequest request) {
    if (request.refreshToken() == null) throw ApiError.invalid("refreshToken", "required", "is required");
    Instant now = clock.instant();
    // Reuse of a rotated token revokes its family; that must stick even though this request fails.
    Optional<ApiError> reuse = jdbi.inTransaction(handle -> {
      Optional<StoredToken> token = StoredToken.lock(handle, request.refreshToken());
      if (token.isPresent() && token.get().replaced() && !token.get().revoked()) {
        RefreshTokens.revokeFamily(handle, token.get().familyId(), now);
        audit.record(handle, caller, new AuditLog.Change(null, "auth.refresh_reuse_detected", "user",
            token.get().userId(), null, null));
        return Optional.of(ApiError.unauthorized("invalid_refresh_token",
            "The refresh token was already used; every session of its family has been revoked"));
      }
      return Optional.empty();
    });
    if (reuse.isPresent()) throw reuse.get();
    return jdbi.inTransaction(handle -> {
      StoredToken token = StoredToken.lock(handle, request.refreshToken())
          .orElseThrow(() -> ApiError.unauthorized("invalid_refresh_token", "The refresh token is not valid"));
      if (token.revoked() || token.replaced() || !token.expiresAt().isAfter(now)) {
        throw ApiError.unauthorized("invalid_refresh_token", "The refresh token has expired or was revoked");
      }
      User user = handle.createQuery("SELECT * FROM users WHERE id = :id").bind("id", token.userId())
          .map((rs, ctx) -> Users.user(rs)).one();
      if (!user.active()) throw ApiError.unauthorized("invalid_refresh_token", "The account is deactivated");
      handle.createUpdate("UPDATE refresh_tokens SET replaced_at = :now WHERE token_hash = :hash")
          .bind("now", now).bind("hash", Secrets.sha256(request.refreshToken())).execute();
      Session session = startSession(handle, user, token.familyId(), now);
      audit.record(handle, caller.as(user), new AuditLog.Change(user.tenantId(), "auth.token_refreshed", "user",
          user.id(), null, null));
      return session;
    });
  }

  /** Revokes the refresh token's whole family (this sign-in on this device). */
  public void logout(Caller caller, RefreshRequest request) {
    if (request.refreshToken() == null) throw ApiError.invalid("refreshToken", "required", "is required");
    jdbi.useTransaction(handle -> {
      var token = handle.createQuery("SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = :hash")
          .bind("hash", Secrets.sha256(request.refreshToken()))
          .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).findOne()
          .orElseThrow(() -> ApiError.unauthorized("invalid_refresh_token", "The refresh token is not valid"));
      if (caller.kind() == Caller.Kind.USER && !caller.id().equals(token[1])) {
        throw ApiError.unauthorized("invalid_refresh_token", "The refresh token is not valid");
      }
      RefreshTokens.revokeFamily(handle, token[0], clock.instant());
      audit.record(handle, caller, new AuditLog.Change(caller.tenantId(), "auth.logout", "user", token[1], null, null));
    });
  }

  private Session startSession(Handle handle, User user, String familyId, Instant now) {
    Instant refreshExpires = now.plus(settings.refreshTokenTtl());
    String refreshToken = RefreshTokens.issue(handle, user.id(), familyId, now, refreshExpires);
    AccessTokens.Issued access = accessTokens.issue(user.id(), user.tenantId(), user.roleEnum());
    return new Session(access.token(), "Bearer", Duration.between(now, access.expiresAt()).toSeconds(), refreshToken,
        refreshExpires, user);
  }

  /** A stored refresh token, looked up by the digest of the presented one and locked. */
  private record StoredToken(String familyId, String userId, Instant expiresAt, boolean replaced, boolean revoked) {
    static Optional<StoredToken> lock(Handle handle, String presented) {
      return handle.createQuery("""
              SELECT family_id, user_id, expires_at, replaced_at, revoked_at FROM refresh_tokens
              WHERE token_hash = :hash FOR UPDATE""")
          .bind("hash", Secrets.sha256(presented))
          .map((rs, ctx) -> new StoredToken(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
              rs.getTimestamp(4) != null, rs.getTimestamp(5) != null))
          .findOne();
    }
  }
}
