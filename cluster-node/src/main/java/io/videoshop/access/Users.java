package io.videoshop.access;

import io.videoshop.domain.Role;
import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.AuthSettings;
import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import io.videoshop.notification.MailTemplates;
import io.videoshop.notification.Mails;
import io.videoshop.config.PasswordResetLimits;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A tenant's users: invitations (a token mailed once, accepted once, expiring), roles,
 * deactivation, and password resets by mailed token. Blocking: call on the blocking dispatcher.
 */
public final class Users {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s]{1,63}");

  private final Jdbi jdbi;
  private final AuditLog audit;
  private final Mails mails;
  private final ResetThrottle resetThrottle;
  private final AuthSettings settings;
  private final SeatLimit seatLimit;
  private final Clock clock;
  private final UserSessions sessions;

  /** How many people (agent seats) a tenant's plan allows; empty: no limit. Blocking. */
  @FunctionalInterface
  public interface SeatLimit {
    Optional<Integer> of(String tenantId);
  }

  public Users(Jdbi jdbi, AuditLog audit, Mails mails, AuthSettings settings, PasswordResetLimits resetLimits,
      SeatLimit seatLimit, Clock clock, UserSessions sessions) {
    this.sessions = sessions;
    this.jdbi = jdbi;
    this.audit = audit;
    this.mails = mails;
    this.resetThrottle = new ResetThrottle(resetLimits, clock);
    this.settings = settings;
    this.seatLimit = seatLimit;
    this.clock = clock;
  }

  /** @param language the invitee's language for mail ("en", "de"; null: English) */
  public record Invite(String email, String role, String language) {
    public Invite(String email, String role) {
      this(email, role, null);
    }
  }

  /** An invitation as listed; {@code language} is its mail's, so that a resend speaks it again. */
  public record Invitation(String id, String tenantId, String email, String role, Instant expiresAt, String status,
      String language) {}

  public record AcceptInvitation(String token, String displayName, String password) {}

  public record ChangeRole(String role) {}

  public record ResetRequest(String email) {}

  public record ResetConfirmation(String token, String password) {}

  /** @param seats the plan's seat limit, asked of the wallet before the transaction opened */
  Invitation invite(Handle handle, Caller caller, String tenantId, Invite request, Optional<Integer> seats) {
    String email = normalisedEmail("email", request.email());
    Role role = tenantRole("role", request.role());
    requireMayGrant(caller, role);
    if (handle.createQuery("SELECT count(*) FROM users WHERE email = :email").bind("email", email)
        .mapTo(Long.class).one() > 0) {
      throw DomainError.conflict("email_taken", "A user with this email exists");
    }
    Instant now = clock.instant();
    requireSeat(handle, seats, tenantId, email, now, true);
    // A new invitation for the same address replaces a pending one (a resend).
    handle.createUpdate("""
            UPDATE invitations SET revoked_at = :now
            WHERE tenant_id = :tenantId AND email = :email AND accepted_at IS NULL AND revoked_at IS NULL""")
        .bind("now", now).bind("tenantId", tenantId).bind("email", email).execute();
    String token = Secrets.newSecret("inv_");
    Invitation invitation = new Invitation(UUID.randomUUID().toString(), tenantId, email, role.wireName(),
        now.plus(settings.invitationTtl()), "pending", MailTemplates.language(request.language()));
    handle.createUpdate("""
            INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at)
            VALUES (:id, :tenantId, :email, :role, :tokenHash, :invitedBy, :now, :expiresAt)""")
        .bind("id", invitation.id()).bind("tenantId", tenantId).bind("email", email).bind("role", role.wireName())
        .bind("tokenHash", Secrets.sha256(token)).bind("invitedBy", caller.id()).bind("now", now)
        .bind("expiresAt", invitation.expiresAt())
        .execute();
    // The token travels in the link's fragment: browsers never send it to a server, so no access log holds it.
    mails.send(handle, new Mails.Mail(tenantId, "invitation:" + invitation.id(), email, request.language(), "invitation",
        Map.of("role", role.wireName(), "link", mails.link("/account/invitation#token=" + token),
            "expiresAt", invitation.expiresAt().toString())));
    handle.createUpdate("UPDATE invitations SET language = :language WHERE id = :id")
        .bind("language", invitation.language()).bind("id", invitation.id()).execute();
    audit.record(handle, caller, new AuditLog.Change(tenantId, "user.invited", "invitation", invitation.id(), null, invitation));
    return invitation;
  }

  public Invitation invite(Caller caller, String tenantId, Invite request) {
    // The wallet is asked first: never wait for another actor while holding a transaction open.
    Optional<Integer> seats = seatLimit.of(tenantId);
    return jdbi.inTransaction(handle -> invite(handle, caller, tenantId, request, seats));
  }

  public List<Invitation> invitations(String tenantId) {
    Instant now = clock.instant();
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM invitations WHERE tenant_id = :tenantId ORDER BY created_at DESC LIMIT 500")
        .bind("tenantId", tenantId)
        .map((rs, ctx) -> invitation(rs, now))
        .list());
  }

  /** Creates the invited user; the token works once, before it expires. */
  public User acceptInvitation(Caller caller, AcceptInvitation request) {
    if (request.token() == null || request.token().isBlank()) throw DomainError.invalid("token", "required", "is required");
    // The seat limit is asked of the wallet before the transaction opens (not while holding it).
    Optional<String> tenantOfToken = jdbi.withHandle(handle -> handle.createQuery(
            "SELECT tenant_id FROM invitations WHERE token_hash = :hash")
        .bind("hash", Secrets.sha256(request.token())).mapTo(String.class).findOne());
    Optional<Integer> seats = tenantOfToken.flatMap(seatLimit::of);
    return jdbi.inTransaction(handle -> {
      Instant now = clock.instant();
      var row = handle.createQuery("SELECT * FROM invitations WHERE token_hash = :hash FOR UPDATE")
          .bind("hash", Secrets.sha256(request.token()))
          .map((rs, ctx) -> invitation(rs, now))
          .findOne()
          .orElseThrow(() -> DomainError.badRequest("invalid_invitation", "The invitation token is not valid"));
      if (!"pending".equals(row.status())) {
        throw DomainError.gone("invitation_" + row.status(),
            "The invitation is " + row.status());
      }
      String displayName = displayName("displayName", request.displayName());
      Passwords.checkRules("password", request.password(), row.email());
      requireSeat(handle, seats, row.tenantId(), row.email(), now, false);
      User user = insert(handle, row.tenantId(), row.email(), displayName, Role.fromWire(row.role()),
          Passwords.hash(request.password()));
      handle.createUpdate("UPDATE invitations SET accepted_at = :now WHERE id = :id")
          .bind("now", now).bind("id", row.id()).execute();
      String language = handle.createQuery("SELECT language FROM invitations WHERE id = :id").bind("id", row.id())
          .mapTo(String.class).findOne().orElse(null);
      handle.createUpdate("""
              INSERT INTO user_notification_preferences
                (user_id, language, non_essential_mail, non_essential_push, new_sign_in_mail, updated_at)
              VALUES (:id, :language, TRUE, TRUE, FALSE, :now)""")
          .bind("id", user.id()).bind("language", MailTemplates.language(language)).bind("now", now).execute();
      audit.record(handle, caller.asUser(user.id(), user.tenantId(), user.roleEnum()), new AuditLog.Change(user.tenantId(), "user.created", "user", user.id(), null, user));
      return user;
    });
  }

  /** Creates a user directly (first start: the operator, the demo tenant's people). */
  public User create(Handle handle, Caller caller, String tenantId, String email, String displayName, Role role,
      String password) {
    String normalised = normalisedEmail("email", email);
    Passwords.checkRules("password", password, normalised);
    User user = insert(handle, tenantId, normalised, displayName("displayName", displayName), role, Passwords.hash(password));
    audit.record(handle, caller, new AuditLog.Change(tenantId, "user.created", "user", user.id(), null, user));
    return user;
  }

  public List<User> list(String tenantId) {
    return jdbi.withHandle(handle -> handle.createQuery(
            "SELECT * FROM users WHERE tenant_id = :tenantId ORDER BY email LIMIT 1000")
        .bind("tenantId", tenantId).map((rs, ctx) -> user(rs)).list());
  }

  public User get(String tenantId, String userId) {
    return jdbi.withHandle(handle -> find(handle, tenantId, userId));
  }

  public Optional<User> byId(String userId) {
    return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM users WHERE id = :id").bind("id", userId)
        .map((rs, ctx) -> user(rs)).findOne());
  }

  public User changeRole(Caller caller, String tenantId, String userId, ChangeRole request) {
    return jdbi.inTransaction(handle -> {
      User before = find(handle, tenantId, userId); // first: another tenant's user is 404 whatever the body
      Role role = tenantRole("role", request.role());
      requireMayGrant(caller, role);
      requireMayGrant(caller, before.roleEnum()); // an admin cannot demote an owner
      if (before.roleEnum() == Role.OWNER && role != Role.OWNER) requireAnotherActiveOwner(handle, before);
      User after = update(handle, before, role.wireName(), before.status());
      // Tokens carry the role: the old ones end (a demoted owner cannot use one to promote itself back).
      if (role != before.roleEnum()) sessions.endAll(handle, userId);
      audit.record(handle, caller, new AuditLog.Change(tenantId, "user.role_changed", "user", userId, before, after));
      return after;
    });
  }

  public User deactivate(Caller caller, String tenantId, String userId) {
    return jdbi.inTransaction(handle -> {
      User before = find(handle, tenantId, userId);
      requireMayGrant(caller, before.roleEnum());
      if (!before.active()) throw DomainError.conflict("user_already_deactivated", "The user is already deactivated");
      if (before.roleEnum() == Role.OWNER) requireAnotherActiveOwner(handle, before);
      User after = update(handle, before, before.role(), User.DEACTIVATED);
      RefreshTokens.revokeAllOf(handle, userId, clock.instant());
      sessions.endAll(handle, userId);
      audit.record(handle, caller, new AuditLog.Change(tenantId, "user.deactivated", "user", userId, before, after));
      return after;
    });
  }

  /** Null fields keep their value. */
  public record Correction(String displayName, String email) {}

  /**
   * Corrects a user's name or email (the right to rectification), by an admin of their tenant
   * ({@code tenantId} set; an admin cannot change an owner) or by the user themselves
   * ({@code tenantId} null). The email keeps the rules of an invitation: an address, unique.
   * Audited as {@code user.corrected} with the fields' names, never their values.
   */
  public User correct(Caller caller, String tenantId, String userId, Correction request) {
    return jdbi.inTransaction(handle -> {
      User before = tenantId == null
          ? handle.createQuery("SELECT * FROM users WHERE id = :id").bind("id", userId).map((rs, ctx) -> user(rs))
              .findOne().orElseThrow(() -> DomainError.notFound("user_not_found", "No user " + userId))
          : find(handle, tenantId, userId);
      if (!userId.equals(caller.id())) requireMayGrant(caller, before.roleEnum());
      if (ERASED.equals(before.status())) throw DomainError.conflict("user_erased", "This user's data has been erased");
      if (request.displayName() == null && request.email() == null) {
        throw DomainError.invalid("displayName", "required", "displayName or email: at least one to correct");
      }
      String name = request.displayName() == null ? before.displayName() : displayName("displayName", request.displayName());
      String email = request.email() == null ? before.email() : normalisedEmail("email", request.email());
      List<String> fields = new java.util.ArrayList<>();
      if (!name.equals(before.displayName())) fields.add("displayName");
      if (!email.equals(before.email())) {
        if (handle.createQuery("SELECT count(*) FROM users WHERE email = :email").bind("email", email)
            .mapTo(Long.class).one() > 0) {
          throw DomainError.conflict("email_taken", "A user with this email exists");
        }
        fields.add("email");
      }
      Instant now = clock.instant();
      handle.createUpdate("UPDATE users SET display_name = :name, email = :email, updated_at = :now WHERE id = :id")
          .bind("name", name).bind("email", email).bind("now", now).bind("id", userId).execute();
      audit.record(handle, caller, new AuditLog.Change(before.tenantId(), "user.corrected", "user", userId, null,
          Map.of("fields", fields)));
      return new User(before.id(), before.tenantId(), email, name, before.role(), before.status(), before.createdAt(), now);
    });
  }

  /** Status of a user whose data was erased: the row keeps only a pseudonym, nobody signs in with it. */
  public static final String ERASED = "erased";

  /**
   * Checks that the caller may erase this user: the rules of deactivation (an admin cannot erase
   * an owner; the tenant keeps an active owner). Answers the user as they are now.
   */
  public User checkErasable(Caller caller, String tenantId, String userId) {
    return jdbi.withHandle(handle -> {
      User user = find(handle, tenantId, userId);
      requireMayGrant(caller, user.roleEnum());
      if (user.roleEnum() == Role.OWNER && user.active()) requireAnotherActiveOwner(handle, user);
      return user;
    });
  }

  /**
   * Replaces the user's name and email by their pseudonym, makes the password unusable and ends
   * every session: the row stays (ids in calls, bookings and the audit trail still point at it).
   */
  public void anonymise(Handle handle, String userId, String pseudonymName, String pseudonymEmail) {
    Instant now = clock.instant();
    handle.createUpdate("""
            UPDATE users SET display_name = :name, email = :email, status = :status, password_hash = '!erased',
              updated_at = :now WHERE id = :id""")
        .bind("name", pseudonymName).bind("email", pseudonymEmail).bind("status", ERASED).bind("now", now)
        .bind("id", userId).execute();
    RefreshTokens.revokeAllOf(handle, userId, now);
    sessions.endAll(handle, userId);
  }

  /**
   * Mails a reset token when the address belongs to an active user; says nothing either way. A new
   * reset makes the earlier unused tokens of the account worthless. Limited per address asked for
   * (whether it has an account or not, so the limit reveals nothing) and per client address.
   */
  public void requestPasswordReset(Caller caller, ResetRequest request) {
    if (request.email() == null || request.email().isBlank()) throw DomainError.invalid("email", "required", "is required");
    String email = request.email().trim().toLowerCase(Locale.ROOT);
    if (email.length() > 320) throw DomainError.invalid("email", "invalid_email", "must be an email address");
    resetThrottle.take(jdbi, email, caller.ip());
    jdbi.useTransaction(handle -> {
      Optional<User> user = handle.createQuery("SELECT * FROM users WHERE email = :email").bind("email", email)
          .map((rs, ctx) -> user(rs)).findOne().filter(User::active);
      if (user.isEmpty()) return;
      Instant now = clock.instant();
      handle.createUpdate("UPDATE password_resets SET used_at = :now WHERE user_id = :userId AND used_at IS NULL")
          .bind("now", now).bind("userId", user.get().id()).execute();
      String token = Secrets.newSecret("rst_");
      handle.createUpdate("""
              INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
              VALUES (:hash, :userId, :now, :expiresAt)""")
          .bind("hash", Secrets.sha256(token)).bind("userId", user.get().id()).bind("now", now)
          .bind("expiresAt", now.plus(settings.passwordResetTtl())).execute();
      mails.send(handle, new Mails.Mail(user.get().tenantId(), "user:" + user.get().id(), email,
          languageOf(handle, user.get().id()), "password_reset",
          Map.of("link", mails.link("/account/password-reset#token=" + token),
              "minutes", settings.passwordResetTtl().toMinutes())));
      audit.record(handle, caller, new AuditLog.Change(user.get().tenantId(), "auth.password_reset_requested", "user",
          user.get().id(), null, null));
    });
  }

  /** The user's language for mail (English when they never chose one). */
  static String languageOf(Handle handle, String userId) {
    return handle.createQuery("SELECT language FROM user_notification_preferences WHERE user_id = :id")
        .bind("id", userId).mapTo(String.class).findOne().orElse(MailTemplates.FALLBACK_LANGUAGE);
  }

  public void confirmPasswordReset(Caller caller, ResetConfirmation request) {
    if (request.token() == null || request.token().isBlank()) throw DomainError.invalid("token", "required", "is required");
    jdbi.useTransaction(handle -> {
      Instant now = clock.instant();
      var reset = handle.createQuery("""
              SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = :hash FOR UPDATE""")
          .bind("hash", Secrets.sha256(request.token()))
          .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getTimestamp(3)})
          .findOne()
          .orElseThrow(() -> DomainError.badRequest("invalid_reset_token", "The reset token is not valid"));
      if (reset[2] != null || !((Instant) reset[1]).isAfter(now)) {
        throw DomainError.badRequest("invalid_reset_token", "The reset token has been used or has expired");
      }
      String userId = (String) reset[0];
      User user = handle.createQuery("SELECT * FROM users WHERE id = :id").bind("id", userId)
          .map((rs, ctx) -> user(rs)).one();
      Passwords.checkRules("password", request.password(), user.email());
      handle.createUpdate("UPDATE users SET password_hash = :hash, updated_at = :now WHERE id = :id")
          .bind("hash", Passwords.hash(request.password())).bind("now", now).bind("id", userId).execute();
      handle.createUpdate("UPDATE password_resets SET used_at = :now WHERE token_hash = :hash")
          .bind("now", now).bind("hash", Secrets.sha256(request.token())).execute();
      RefreshTokens.revokeAllOf(handle, userId, now);
      sessions.endAll(handle, userId);
      // Proving control of the mailbox lifts a lock guessers put on the account.
      handle.createUpdate("DELETE FROM login_failures WHERE subject = :subject")
          .bind("subject", Logins.accountSubject(user.email())).execute();
      mails.send(handle, new Mails.Mail(user.tenantId(), "user:" + userId, user.email(), languageOf(handle, userId),
          "password_changed", Map.of("at", now.toString())));
      audit.record(handle, caller, new AuditLog.Change(user.tenantId(), "auth.password_reset", "user", userId, null, null));
    });
  }

  private User insert(Handle handle, String tenantId, String email, String displayName, Role role, String hash) {
    if (handle.createQuery("SELECT count(*) FROM users WHERE email = :email").bind("email", email)
        .mapTo(Long.class).one() > 0) {
      throw DomainError.conflict("email_taken", "A user with this email exists");
    }
    Instant now = clock.instant();
    User user = new User(UUID.randomUUID().toString(), tenantId, email, displayName, role.wireName(), User.ACTIVE, now, now);
    handle.createUpdate("""
            INSERT INTO users (id, tenant_id, email, display_name, role, status, password_hash, created_at, updated_at)
            VALUES (:id, :tenantId, :email, :displayName, :role, :status, :hash, :now, :now)""")
        .bind("id", user.id()).bind("tenantId", tenantId).bind("email", email).bind("displayName", displayName)
        .bind("role", user.role()).bind("status", user.status()).bind("hash", hash).bind("now", now)
        .execute();
    return user;
  }

  private User update(Handle handle, User before, String role, String status) {
    Instant now = clock.instant();
    handle.createUpdate("UPDATE users SET role = :role, status = :status, updated_at = :now WHERE id = :id")
        .bind("role", role).bind("status", status).bind("now", now).bind("id", before.id()).execute();
    return new User(before.id(), before.tenantId(), before.email(), before.displayName(), role, status,
        before.createdAt(), now);
  }

  private User find(Handle handle, String tenantId, String userId) {
    return handle.createQuery("SELECT * FROM users WHERE id = :id AND tenant_id = :tenantId")
        .bind("id", userId).bind("tenantId", tenantId)
        .map((rs, ctx) -> user(rs)).findOne()
        .orElseThrow(() -> DomainError.notFound("user_not_found", "No user " + userId));
  }

  /**
   * Everyone of a tenant who signs in takes a seat (any of them may take calls in the console);
   * pending invitations hold one too, so that accepting them cannot overrun the plan.
   */
  private void requireSeat(Handle handle, Optional<Integer> limit, String tenantId, String email, Instant now,
      boolean countInvitations) {
    if (limit.isEmpty()) return;
    long taken = handle.createQuery("SELECT count(*) FROM users WHERE tenant_id = :tenantId AND status = 'active'")
        .bind("tenantId", tenantId).mapTo(Long.class).one();
    if (countInvitations) {
      taken += handle.createQuery("""
              SELECT count(*) FROM invitations WHERE tenant_id = :tenantId AND email <> :email
                AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > :now""")
          .bind("tenantId", tenantId).bind("email", email).bind("now", now).mapTo(Long.class).one();
    }
    if (taken >= limit.get()) {
      throw DomainError.conflict("seat_limit_reached", "The plan allows " + limit.get()
          + " agent seats and all are taken; change the plan or deactivate someone first");
    }
  }

  private void requireAnotherActiveOwner(Handle handle, User owner) {
    long owners = handle.createQuery("""
            SELECT count(*) FROM users WHERE tenant_id = :tenantId AND role = 'owner' AND status = 'active' AND id <> :id""")
        .bind("tenantId", owner.tenantId()).bind("id", owner.id()).mapTo(Long.class).one();
    if (owners == 0) throw DomainError.conflict("last_owner", "A tenant keeps at least one active owner");
  }

  /** Admins manage agents and admins; only owners (and the operator) grant or take the owner role. */
  private static void requireMayGrant(Caller caller, Role role) {
    if (caller.isOperator()) return;
    // A leaked server key must not mint people who manage the tenant: that takes its own scope.
    if (caller.isApiKey() && role != Role.AGENT && !caller.scopes().contains(ApiKeys.GRANT_ADMINS_SCOPE)) {
      throw DomainError.forbidden("insufficient_scope", "Inviting an admin or owner with an API key needs the scope "
          + ApiKeys.GRANT_ADMINS_SCOPE);
    }
    if (role == Role.OWNER && caller.role() != Role.OWNER) {
      throw DomainError.forbidden("owner_only", "Only an owner may grant, change or remove the owner role");
    }
  }

  private static Role tenantRole(String field, String value) {
    if (value != null) {
      for (Role role : List.of(Role.OWNER, Role.ADMIN, Role.AGENT)) {
        if (role.wireName().equals(value)) return role;
      }
    }
    throw DomainError.invalid(field, "invalid_role", "must be one of owner, admin, agent");
  }

  static String normalisedEmail(String field, String email) {
    String trimmed = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
    if (trimmed.length() > 320 || !EMAIL.matcher(trimmed).matches()) {
      throw DomainError.invalid(field, "invalid_email", "must be an email address");
    }
    return trimmed;
  }

  private static String displayName(String field, String name) {
    if (name == null || name.isBlank() || name.trim().length() > 200) {
      throw DomainError.invalid(List.of(new FieldError(field, "invalid_name", "must be 1 to 200 characters")));
    }
    return name.trim();
  }

  private static Invitation invitation(ResultSet rs, Instant now) throws SQLException {
    return new Invitation(rs.getString("id"), rs.getString("tenant_id"), rs.getString("email"), rs.getString("role"),
        rs.getTimestamp("expires_at").toInstant(), invitationStatus(rs, now), rs.getString("language"));
  }

  private static String invitationStatus(ResultSet rs, Instant now) throws SQLException {
    if (rs.getTimestamp("accepted_at") != null) return "accepted";
    if (rs.getTimestamp("revoked_at") != null) return "revoked";
    if (!rs.getTimestamp("expires_at").toInstant().isAfter(now)) return "expired";
    return "pending";
  }

  static User user(ResultSet rs) throws SQLException {
    return new User(rs.getString("id"), rs.getString("tenant_id"), rs.getString("email"), rs.getString("display_name"),
        rs.getString("role"), rs.getString("status"), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }

}
