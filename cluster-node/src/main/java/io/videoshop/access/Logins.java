package io.videoshop.access;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.AuthSettings;
import io.videoshop.domain.DomainError;
import io.videoshop.notification.Mails;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Sign-in: password logins that hand out an access token and a refresh token, refresh with
 * rotation, logout. Failed logins are counted per account and per client address (in the
 * database, so every node sees them). A client address is only ever slowed down (each failure
 * answered later, up to a ceiling), never locked: many shoppers and staff may share one address
 * (an office, a carrier's NAT), and a lock per address would let anyone lock them all out. An
 * account is locked after too many failures; each lock in a row lasts twice as long, up to a
 * ceiling, its holder is mailed, and a password reset lifts it, so guessing stays bounded while
 * the real holder always has a way in.
 */
public final class Logins {
  private static final Duration MAX_SLOWDOWN = Duration.ofSeconds(4);

  private final Jdbi jdbi;
  private final AccessTokens accessTokens;
  private final AuditLog audit;
  private final Mails mails;
  private final UserSessions sessions;
  private final AuthSettings settings;
  private final Clock clock;

  public Logins(Jdbi jdbi, AccessTokens accessTokens, AuditLog audit, Mails mails, UserSessions sessions,
      AuthSettings settings, Clock clock) {
    this.jdbi = jdbi;
    this.sessions = sessions;
    this.accessTokens = accessTokens;
    this.audit = audit;
    this.mails = mails;
    this.settings = settings;
    this.clock = clock;
  }

  public record Credentials(String email, String password) {}

  public record RefreshRequest(String refreshToken) {}

  public record Session(String accessToken, String tokenType, long expiresIn, String refreshToken,
      Instant refreshTokenExpiresAt, User user) {}

  /** A login's result: a session, or an error to answer after {@code delay} (the slowdown). */
  public record Outcome(Session session, DomainError error, Duration delay) {}

  static String accountSubject(String email) {
    return "account:" + email;
  }

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
      throw DomainError.invalid("email", "required", "email and password are required");
    }
    String email = credentials.email().trim().toLowerCase(Locale.ROOT);
    String account = accountSubject(email);
    String address = "ip:" + caller.ip();
    Instant now = clock.instant();
    Optional<Instant> lockedUntil = jdbi.withHandle(handle -> lockedUntil(handle, account, now));
    if (lockedUntil.isPresent()) {
      throw DomainError.tooManyRequests("login_locked", "Too many failed logins for this account; try again later"
          + " or reset the password", Duration.between(now, lockedUntil.get()));
    }
    Optional<User> user = jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM users WHERE email = :email")
        .bind("email", email).map((rs, ctx) -> Users.user(rs)).findOne());
    String hash = user.isEmpty() ? null : jdbi.withHandle(handle ->
        handle.createQuery("SELECT password_hash FROM users WHERE id = :id").bind("id", user.get().id())
            .mapTo(String.class).one());
    // Verify even for unknown accounts so that timing does not tell which emails exist.
    boolean passwordMatches = Passwords.matches(credentials.password(), hash != null ? hash : DUMMY_HASH) && hash != null;
    if (!passwordMatches || !user.get().active()) {
      return failed(caller, email, account, address, user, now);
    }
    return jdbi.inTransaction(handle -> {
      // The account's count only: the address's stays, or a guesser's own account would wipe it.
      handle.createUpdate("DELETE FROM login_failures WHERE subject = :subject").bind("subject", account).execute();
      Session session = startSession(handle, user.get(), UUID.randomUUID().toString(), now);
      audit.record(handle, caller.asUser(user.get().id(), user.get().tenantId(), user.get().roleEnum()), new AuditLog.Change(user.get().tenantId(), "auth.login", "user",
          user.get().id(), null, null));
      signInListener.signedIn(handle, user.get(), caller.userAgent(), caller.ip());
      return new Outcome(session, null, Duration.ZERO);
    });
  }

  private static final String DUMMY_HASH = Passwords.hash("not-a-real-password-0");

  private Outcome failed(Caller caller, String email, String account, String address, Optional<User> user,
      Instant now) {
    return jdbi.inTransaction(handle -> {
      int addressFailures = countFailure(handle, address, now).failures();
      Counted counted = countFailure(handle, account, now);
      int worst = Math.max(addressFailures, counted.failures());
      String tenantId = user.map(User::tenantId).orElse(null);
      String userId = user.map(User::id).orElse(null);
      audit.record(handle, caller, new AuditLog.Change(tenantId, "auth.login_failed", "user", userId, null,
          java.util.Map.of("email", email)));
      if (counted.failures() >= settings.maxLoginFailures()) {
        Duration lock = lockFor(counted.lockouts() + 1);
        Instant until = now.plus(lock);
        // The next round's window starts when this lock ends: failing again soon after locks longer.
        handle.createUpdate("""
                UPDATE login_failures SET locked_until = :until, lockouts = lockouts + 1, window_started_at = :until
                WHERE subject = :subject""")
            .bind("until", until).bind("subject", account).execute();
        audit.record(handle, caller, new AuditLog.Change(tenantId, "auth.lockout", "user", userId, null,
            java.util.Map.of("email", email, "lockedFor", lock.toString())));
        if (user.isPresent() && user.get().active()) {
          mails.send(handle, new Mails.Mail(tenantId, "user:" + userId, email, Users.languageOf(handle, userId),
              "account_locked", Map.of("failures", counted.failures(), "minutes", lock.toMinutes(), "until", until.toString())));
        }
        return new Outcome(null, DomainError.tooManyRequests("login_locked",
            "Too many failed logins for this account; try again later or reset the password", lock), slowdown(worst));
      }
      return new Outcome(null, DomainError.unauthorized("invalid_credentials", "The email or the password is wrong"),
          slowdown(worst));
    });
  }

  /** lockout * 2^(n-1) for the n-th lock in a row, at most max-lockout. */
  Duration lockFor(int lockout) {
    Duration lock = settings.loginLockout().multipliedBy(1L << Math.min(20, Math.max(0, lockout - 1)));
    return lock.compareTo(settings.loginMaxLockout()) > 0 ? settings.loginMaxLockout() : lock;
  }

  /** step * 2^(n-1), at most 4 s. */
  Duration slowdown(int failures) {
    Duration delay = settings.loginSlowdownStep().multipliedBy(1L << Math.min(20, Math.max(0, failures - 1)));
    return delay.compareTo(MAX_SLOWDOWN) > 0 ? MAX_SLOWDOWN : delay;
  }

  private record Counted(int failures, int lockouts) {}

  private Counted countFailure(Handle handle, String subject, Instant now) {
    Optional<Object[]> row = handle.createQuery(
            "SELECT failures, window_started_at, lockouts FROM login_failures WHERE subject = :subject FOR UPDATE")
        .bind("subject", subject)
        .map((rs, ctx) -> new Object[] {rs.getInt(1), rs.getTimestamp(2).toInstant(), rs.getInt(3)}).findOne();
    if (row.isEmpty()) {
      handle.createUpdate("""
              INSERT INTO login_failures (subject, failures, window_started_at, lockouts) VALUES (:subject, 1, :now, 0)""")
          .bind("subject", subject).bind("now", now).execute();
      return new Counted(1, 0);
    }
    // A quiet window (since the first failure, or since the last lock ended) forgets everything.
    boolean windowOver = ((Instant) row.get()[1]).plus(settings.loginFailureWindow()).isBefore(now);
    int failures = windowOver ? 1 : (int) row.get()[0] + 1;
    int lockouts = windowOver ? 0 : (int) row.get()[2];
    handle.createUpdate("""
            UPDATE login_failures SET failures = :failures, window_started_at = :started, locked_until = NULL,
              lockouts = :lockouts
            WHERE subject = :subject""")
        .bind("failures", failures).bind("started", windowOver ? now : row.get()[1]).bind("lockouts", lockouts)
        .bind("subject", subject).execute();
    return new Counted(failures, lockouts);
  }

  private static Optional<Instant> lockedUntil(Handle handle, String subject, Instant now) {
    return handle.createQuery("SELECT locked_until FROM login_failures WHERE subject = :subject")
        .bind("subject", subject)
        .map((rs, ctx) -> rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant())
        .findOne()
        .filter(until -> until != null && until.isAfter(now));
  }

  /**
   * Exchanges a refresh token for a new session; the old token is used up. Detection and rotation
   * are one transaction on the locked row: of concurrent presentations of one token the first
   * rotates it, and every later one (waiting on the lock, then seeing it used up) is a replay that
   * revokes the family, the winner's new token included.
   */
  public Session refresh(Caller caller, RefreshRequest request) {
    if (request.refreshToken() == null) throw DomainError.invalid("refreshToken", "required", "is required");
    Instant now = clock.instant();
    // A replay's revocation must be committed although the request fails: the error is returned, not thrown.
    Object result = jdbi.inTransaction(handle -> {
      Optional<StoredToken> found = StoredToken.lock(handle, request.refreshToken());
      if (found.isEmpty()) return DomainError.unauthorized("invalid_refresh_token", "The refresh token is not valid");
      StoredToken token = found.get();
      if (token.replaced() && !token.revoked()) {
        RefreshTokens.revokeFamily(handle, token.familyId(), now);
        audit.record(handle, caller, new AuditLog.Change(null, "auth.refresh_reuse_detected", "user",
            token.userId(), null, null));
        return DomainError.unauthorized("invalid_refresh_token",
            "The refresh token was already used; every session of its family has been revoked");
      }
      if (token.revoked() || token.replaced() || !token.expiresAt().isAfter(now)) {
        return DomainError.unauthorized("invalid_refresh_token", "The refresh token has expired or was revoked");
      }
      User user = handle.createQuery("SELECT * FROM users WHERE id = :id").bind("id", token.userId())
          .map((rs, ctx) -> Users.user(rs)).one();
      if (!user.active()) return DomainError.unauthorized("invalid_refresh_token", "The account is deactivated");
      handle.createUpdate("UPDATE refresh_tokens SET replaced_at = :now WHERE token_hash = :hash")
          .bind("now", now).bind("hash", Secrets.sha256(request.refreshToken())).execute();
      Session session = startSession(handle, user, token.familyId(), now);
      audit.record(handle, caller.asUser(user.id(), user.tenantId(), user.roleEnum()), new AuditLog.Change(user.tenantId(), "auth.token_refreshed", "user",
          user.id(), null, null));
      return session;
    });
    if (result instanceof DomainError error) throw error;
    return (Session) result;
  }

  /**
   * Signs the caller out everywhere: every refresh token of the user is revoked and every access
   * token, console and call socket it holds on any node ends ({@link UserSessions}).
   */
  public void logoutEverywhere(Caller caller) {
    if (caller.kind() != Caller.Kind.USER) {
      throw DomainError.forbidden("api_key_not_allowed", "Only a signed-in user can sign itself out everywhere");
    }
    jdbi.useTransaction(handle -> {
      RefreshTokens.revokeAllOf(handle, caller.id(), clock.instant());
      sessions.endAll(handle, caller.id());
      audit.record(handle, caller, new AuditLog.Change(caller.tenantId(), "auth.logout_everywhere", "user", caller.id(),
          null, null));
    });
  }

  /** Revokes the refresh token's whole family (this sign-in on this device). */
  public void logout(Caller caller, RefreshRequest request) {
    if (request.refreshToken() == null) throw DomainError.invalid("refreshToken", "required", "is required");
    jdbi.useTransaction(handle -> {
      var token = handle.createQuery("SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = :hash")
          .bind("hash", Secrets.sha256(request.refreshToken()))
          .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).findOne()
          .orElseThrow(() -> DomainError.unauthorized("invalid_refresh_token", "The refresh token is not valid"));
      if (caller.kind() == Caller.Kind.USER && !caller.id().equals(token[1])) {
        throw DomainError.unauthorized("invalid_refresh_token", "The refresh token is not valid");
      }
      RefreshTokens.revokeFamily(handle, token[0], clock.instant());
      audit.record(handle, caller, new AuditLog.Change(caller.tenantId(), "auth.logout", "user", token[1], null, null));
    });
  }

  private Session startSession(Handle handle, User user, String familyId, Instant now) {
    Instant refreshExpires = now.plus(settings.refreshTokenTtl());
    String refreshToken = RefreshTokens.issue(handle, user.id(), familyId, now, refreshExpires);
    AccessTokens.Issued access = accessTokens.issue(user.id(), user.tenantId(), user.roleEnum(),
        UserSessions.currentVersion(handle, user.id()));
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
