package io.videoshop.notification;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A user's notification choices: the language of their mail, and whether they get non-essential
 * mail and push (essential mail — invitations, resets, security notices — always goes out). The
 * mail opt-out is kept with the shoppers' unsubscribes ({@code mail_opt_outs}), so one check
 * covers both. Blocking.
 */
public final class Preferences {
  private final Jdbi jdbi;
  private final Mails mails;
  private final AuditLog audit;

  public Preferences(Jdbi jdbi, Mails mails, AuditLog audit) {
    this.jdbi = jdbi;
    this.mails = mails;
    this.audit = audit;
  }

  /** @param newSignInMail a mail when the account is signed in to from an unknown device */
  public record Choice(String language, Boolean nonEssentialMail, Boolean nonEssentialPush, Boolean newSignInMail) {}

  public static final Choice DEFAULT = new Choice(MailTemplates.FALLBACK_LANGUAGE, true, true, false);

  public Choice of(String userId) {
    return jdbi.withHandle(handle -> find(handle, userId)).orElse(DEFAULT);
  }

  static Optional<Choice> find(Handle handle, String userId) {
    return handle.createQuery("""
            SELECT language, non_essential_mail, non_essential_push, new_sign_in_mail
            FROM user_notification_preferences WHERE user_id = :id""")
        .bind("id", userId)
        .map((rs, ctx) -> new Choice(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4)))
        .findOne();
  }

  public Choice replace(Caller caller, String userId, Choice request) {
    if (request.language() == null || !MailTemplates.LANGUAGES.contains(request.language())) {
      throw new NotificationRefused(NotificationRefused.Reason.INVALID, "unsupported_language", "language",
          "must be one of " + MailTemplates.LANGUAGES);
    }
    for (var field : new Object[][] {{"nonEssentialMail", request.nonEssentialMail()},
        {"nonEssentialPush", request.nonEssentialPush()}, {"newSignInMail", request.newSignInMail()}}) {
      if (field[1] == null) {
        throw new NotificationRefused(NotificationRefused.Reason.INVALID, "required", (String) field[0], "is required");
      }
    }
    return jdbi.inTransaction(handle -> {
      var user = handle.createQuery("SELECT tenant_id, email FROM users WHERE id = :id").bind("id", userId)
          .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).one();
      Choice before = find(handle, userId).orElse(DEFAULT);
      handle.createUpdate("DELETE FROM user_notification_preferences WHERE user_id = :id").bind("id", userId).execute();
      handle.createUpdate("""
              INSERT INTO user_notification_preferences
                (user_id, language, non_essential_mail, non_essential_push, new_sign_in_mail, updated_at)
              VALUES (:id, :language, :mail, :push, :signIn, :now)""")
          .bind("id", userId).bind("language", request.language()).bind("mail", request.nonEssentialMail())
          .bind("push", request.nonEssentialPush()).bind("signIn", request.newSignInMail()).bind("now", mails.now())
          .execute();
      if (user[0] != null) mails.setOptOut(handle, user[0], user[1], !request.nonEssentialMail());
      audit.record(handle, caller, new AuditLog.Change(user[0], "notification_preferences.replaced", "user", userId,
          before, request));
      return request;
    });
  }
}
