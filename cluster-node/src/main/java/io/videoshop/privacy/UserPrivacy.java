package io.videoshop.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import io.videoshop.domain.Caller;
import io.videoshop.access.Secrets;
import io.videoshop.access.User;
import io.videoshop.access.Users;
import io.videoshop.domain.DomainError;
import io.videoshop.http.Json;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.push.PushSubscriptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A user's (owner's, admin's, agent's) data rights: the export of their account, roles, sign-ins,
 * own acts, push subscriptions and preferences; and their erasure, which keeps the audit trail's
 * integrity with a stable pseudonym: every entry stays (what happened, when, by which user id),
 * but the name and email in it become the pseudonym, the addresses and user agents go, the
 * account can no longer sign in, and the subject keys of their mails and pushes are shredded.
 * Blocking; called on the blocking dispatcher.
 */
public final class UserPrivacy {
  public static final String FORMAT = "videoshop-user-export/1";

  private final Jdbi jdbi;
  private final Users users;
  private final PersonalDataVault vault;
  private final Erasures requests;
  private final String region;
  private final Clock clock;

  public UserPrivacy(Jdbi jdbi, Users users, PersonalDataVault vault, Erasures requests, String region, Clock clock) {
    this.jdbi = jdbi;
    this.users = users;
    this.vault = vault;
    this.requests = requests;
    this.region = region;
    this.clock = clock;
  }

  /** The pseudonym that stands for an erased user in the audit trail: stable, derived from their id. */
  public static String pseudonym(String userId) {
    return "erased-" + Secrets.sha256("user\n" + userId).substring(0, 12);
  }

  /** The bundle of one user's data; {@code tenantId} null: the user's own export (any tenant or none). */
  public byte[] export(String tenantId, String userId) {
    User user = tenantId == null
        ? users.byId(userId).orElseThrow(() -> DomainError.notFound("user_not_found", "No user " + userId))
        : users.get(tenantId, userId);
    if (Users.ERASED.equals(user.status())) throw DomainError.conflict("user_erased", "This user's data has been erased");
    Map<String, List<Map<String, Object>>> files = new LinkedHashMap<>();
    files.put("account", List.of(ExportBundle.row("id", user.id(), "tenantId", user.tenantId(), "email", user.email(),
        "displayName", user.displayName(), "role", user.role(), "status", user.status(), "createdAt", user.createdAt(),
        "updatedAt", user.updatedAt())));
    jdbi.useHandle(handle -> {
      files.put("roles", handle.createQuery("""
              SELECT at, action, actor_id, before_state, after_state FROM audit_log
              WHERE target_type = 'user' AND target_id = :id AND action IN ('user.created', 'user.role_changed',
                'user.deactivated') ORDER BY id""").bind("id", userId).mapToMap().list());
      files.put("sign-ins", handle.createQuery("""
              SELECT at, action, ip, user_agent FROM audit_log
              WHERE target_type = 'user' AND target_id = :id AND action LIKE 'auth.%' ORDER BY id""")
          .bind("id", userId).mapToMap().list());
      files.put("devices", handle.createQuery(
              "SELECT device_hash, first_seen_at FROM known_devices WHERE user_id = :id ORDER BY first_seen_at")
          .bind("id", userId).mapToMap().list());
      files.put("acts", handle.createQuery("""
              SELECT at, tenant_id, action, target_type, target_id, ip, user_agent FROM audit_log
              WHERE actor_type = 'user' AND actor_id = :id ORDER BY id""").bind("id", userId).mapToMap().list());
      files.put("push-subscriptions", handle.createQuery("""
              SELECT id, push_service, created_at, last_delivered_at FROM push_subscriptions WHERE user_id = :id
              ORDER BY created_at""").bind("id", userId).mapToMap().list());
      files.put("preferences", handle.createQuery("""
              SELECT language, non_essential_mail, non_essential_push, new_sign_in_mail, updated_at
              FROM user_notification_preferences WHERE user_id = :id""").bind("id", userId).mapToMap().list());
      files.put("messages", handle.createQuery("""
              SELECT kind, topic, status, attempts, created_at, due_at, finished_at FROM outbox
              WHERE subject_id IN (<subjects>) ORDER BY created_at""")
          .bindList("subjects", List.of(mailSubject(userId), PushSubscriptions.subjectOf(userId))).mapToMap().list());
    });
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("format", FORMAT);
    manifest.put("tenantId", user.tenantId());
    manifest.put("userId", user.id());
    manifest.put("region", region);
    manifest.put("generatedAt", clock.instant().toString());
    return ExportBundle.zip(manifest, files);
  }

  /**
   * Asks for a user's erasure: 202 with the request at once; asking again answers the same
   * request (idempotent). Checked first: an admin cannot erase an owner, the tenant keeps an owner.
   */
  public Erasures.Request erase(Caller caller, String tenantId, String userId) {
    users.checkErasable(caller, tenantId, userId);
    return requests.submit(tenantId, "user_erasure", "user", Secrets.sha256(tenantId + "\nuser\n" + userId), caller,
        "user_erasure.requested", id -> eraseNow(id, userId));
  }

  /** The job: every store in one transaction, the subject keys after it. Idempotent (a rerun finds the pseudonym). */
  private Erasures.Outcome eraseNow(String requestId, String userId) {
    String pseudonym = pseudonym(userId);
    String pseudonymName = "Erased user " + pseudonym.substring("erased-".length());
    String pseudonymEmail = pseudonym + "@erased.invalid";
    Map<String, Integer> stores = new LinkedHashMap<>();
    Set<String> subjects = new LinkedHashSet<>(List.of(mailSubject(userId), PushSubscriptions.subjectOf(userId)));
    jdbi.useTransaction(handle -> {
      User user = handle.createQuery("SELECT * FROM users WHERE id = :id FOR UPDATE").bind("id", userId)
          .map((rs, ctx) -> new User(rs.getString("id"), rs.getString("tenant_id"), rs.getString("email"),
              rs.getString("display_name"), rs.getString("role"), rs.getString("status"), null, null))
          .one();
      // Every name and email the user had: now, and in the trail's states (before a correction).
      Set<String> names = new LinkedHashSet<>(List.of(user.displayName()));
      Set<String> emails = new LinkedHashSet<>(List.of(user.email()));
      handle.createQuery("""
              SELECT before_state, after_state FROM audit_log WHERE target_type = 'user' AND target_id = :id""")
          .bind("id", userId).map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
          .forEach(states -> {
            for (String state : states) collect(state, names, emails);
          });
      names.remove(pseudonymName);
      emails.remove(pseudonymEmail);
      List<String> invitations = emails.isEmpty() ? List.of() : handle.createQuery(
              "SELECT id FROM invitations WHERE email IN (<emails>)")
          .bindList("emails", List.copyOf(emails)).mapTo(String.class).list();
      invitations.forEach(invitation -> subjects.add("invitation:" + invitation));
      List<String> about = new ArrayList<>(invitations);
      about.add(userId);

      int audit = 0;
      for (String email : emails) audit += replaceInTrail(handle, email, pseudonymEmail, null);
      for (String name : names) audit += replaceInTrail(handle, name, pseudonymName, about);
      audit += handle.createUpdate("""
              UPDATE audit_log SET ip = NULL, user_agent = NULL
              WHERE ((actor_type = 'user' AND actor_id = :id) OR (target_type = 'user' AND target_id = :id))
                AND (ip IS NOT NULL OR user_agent IS NOT NULL)""").bind("id", userId).execute();
      stores.put("audit_log", audit);
      if (!emails.isEmpty()) {
        stores.put("invitations", handle.createUpdate("UPDATE invitations SET email = :pseudonym WHERE email IN (<emails>)")
            .bind("pseudonym", pseudonymEmail).bindList("emails", List.copyOf(emails)).execute());
        List<String> accounts = emails.stream().map(e -> "account:" + e).toList();
        stores.put("login_failures", handle.createUpdate("DELETE FROM login_failures WHERE subject IN (<s>)")
            .bindList("s", accounts).execute());
        stores.put("password_reset_requests", handle.createUpdate(
                "DELETE FROM password_reset_requests WHERE subject IN (<s>)")
            .bindList("s", emails.stream().map(e -> "account:" + Secrets.sha256(e)).toList()).execute());
        if (user.tenantId() != null) {
          stores.put("mail_opt_outs", handle.createUpdate(
                  "DELETE FROM mail_opt_outs WHERE tenant_id = :t AND address_hash IN (<h>)")
              .bind("t", user.tenantId()).bindList("h", emails.stream().map(Secrets::sha256).toList()).execute());
        }
      }
      for (String table : List.of("password_resets", "known_devices", "push_subscriptions", "push_opt_outs",
          "user_notification_preferences")) {
        stores.put(table, handle.createUpdate("DELETE FROM " + table + " WHERE user_id = :id").bind("id", userId)
            .execute());
      }
      stores.put("outbox", handle.createUpdate("DELETE FROM outbox WHERE subject_id IN (<subjects>)")
          .bindList("subjects", List.copyOf(subjects)).execute());
      users.anonymise(handle, userId, pseudonymName, pseudonymEmail);
      stores.put("users", 1);
    });
    int shredded = 0;
    for (String subject : subjects) shredded += vault.erase(subject) ? 1 : 0;
    stores.put("personal_data_keys", shredded);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("userId", userId);
    result.put("pseudonym", pseudonym);
    result.put("stores", stores);
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("requestId", requestId);
    after.put("userId", userId);
    after.put("pseudonym", pseudonym);
    after.put("erasedAt", clock.instant().toString());
    return new Erasures.Outcome(result, "user.erased", after);
  }

  /**
   * Replaces a value as it stands in the trail's JSON states (a whole JSON string, so a short name
   * does not match inside other words); {@code about} limits it to entries about or by those ids.
   */
  private static int replaceInTrail(Handle handle, String value, String replacement, List<String> about) {
    if (value == null || value.isBlank()) return 0;
    String quoted = Json.write(value);
    String scope = about == null ? "" : " AND (target_id IN (<about>) OR actor_id IN (<about>))";
    var update = handle.createUpdate("""
            UPDATE audit_log SET before_state = REPLACE(before_state, :quoted, :replacement),
              after_state = REPLACE(after_state, :quoted, :replacement)
            WHERE (before_state LIKE :pattern OR after_state LIKE :pattern)""" + scope)
        .bind("quoted", quoted).bind("replacement", Json.write(replacement))
        .bind("pattern", "%" + quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
    if (about != null) update.bindList("about", about);
    return update.execute();
  }

  /** The names and emails a state of the trail holds (a user, an invitation, a correction's fields). */
  private static void collect(String state, Set<String> names, Set<String> emails) {
    if (state == null) return;
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(state);
    } catch (java.io.IOException | RuntimeException notJson) {
      return;
    }
    if (tree.hasNonNull("displayName") && tree.get("displayName").isTextual()) names.add(tree.get("displayName").asText());
    if (tree.hasNonNull("email") && tree.get("email").isTextual()) emails.add(tree.get("email").asText());
  }

  /** The data subject the user's mails are encrypted under. */
  static String mailSubject(String userId) {
    return "user:" + userId;
  }
}
