package io.videoshop.access;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import io.videoshop.domain.DomainError;
import java.util.Locale;

/**
 * Password hashing with Argon2id (Password4j; OWASP's parameters: 19 MiB, 2 iterations, 1 lane)
 * stored in PHC string form, so the parameters can be raised later and old hashes still verify.
 * Hashing takes tens of milliseconds: call it on the blocking dispatcher.
 */
public final class Passwords {
  public static final int MIN_LENGTH = 10;
  public static final int MAX_LENGTH = 128;
  private static final Argon2Function ARGON2ID = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);

  private Passwords() {}

  public static String hash(String password) {
    return Password.hash(password).addRandomSalt(16).with(ARGON2ID).getResult();
  }

  public static boolean matches(String password, String hash) {
    // An erased user's hash is no Argon2 hash: nothing matches it.
    if (password == null || hash == null || !hash.startsWith("$argon2")) return false;
    return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
  }

  /**
   * The password rules: 10 to 128 characters, at least 4 different characters, and not the
   * account's email or its name part. (Length over composition rules, as NIST SP 800-63B advises.)
   */
  public static void checkRules(String field, String password, String email) {
    if (password == null || password.length() < MIN_LENGTH) {
      throw DomainError.invalid(field, "password_too_short", "must be at least " + MIN_LENGTH + " characters");
    }
    if (password.length() > MAX_LENGTH) {
      throw DomainError.invalid(field, "password_too_long", "must be at most " + MAX_LENGTH + " characters");
    }
    if (password.chars().distinct().count() < 4) {
      throw DomainError.invalid(field, "password_too_simple", "must use at least 4 different characters");
    }
    String lower = password.toLowerCase(Locale.ROOT);
    String mail = email == null ? "" : email.toLowerCase(Locale.ROOT);
    String local = mail.contains("@") ? mail.substring(0, mail.indexOf('@')) : mail;
    if (!mail.isEmpty() && (lower.equals(mail) || (local.length() >= 4 && lower.contains(local)))) {
      throw DomainError.invalid(field, "password_contains_email", "must not contain the email address");
    }
  }
}
