package io.videoshop.notification;

import io.videoshop.access.Secrets;
import io.videoshop.access.User;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Remembers the devices each user signs in from (by a digest of the user agent) and, for users who
 * asked for it ({@code newSignInMail}), mails them when a sign-in comes from a device not seen
 * before. The very first sign-in is no news. Runs in the sign-in's transaction.
 */
public final class SignInNotices {
  private final Mails mails;
  private final Clock clock;

  public SignInNotices(Mails mails, Clock clock) {
    this.mails = mails;
    this.clock = clock;
  }

  public void signedIn(Handle handle, User user, String userAgent, String clientAddress) {
    String agent = userAgent == null ? "" : userAgent.trim();
    String device = Secrets.sha256("device:" + agent);
    boolean known = handle.createQuery("SELECT count(*) FROM known_devices WHERE user_id = :u AND device_hash = :d")
        .bind("u", user.id()).bind("d", device).mapTo(Integer.class).one() > 0;
    if (known) return;
    boolean first = handle.createQuery("SELECT count(*) FROM known_devices WHERE user_id = :u")
        .bind("u", user.id()).mapTo(Integer.class).one() == 0;
    Instant now = clock.instant();
    handle.createUpdate("INSERT INTO known_devices (user_id, device_hash, first_seen_at) VALUES (:u, :d, :now)")
        .bind("u", user.id()).bind("d", device).bind("now", now).execute();
    if (first) return;
    Preferences.Choice choice = Preferences.find(handle, user.id()).orElse(Preferences.DEFAULT);
    if (!Boolean.TRUE.equals(choice.newSignInMail())) return;
    mails.send(handle, new Mails.Mail(user.tenantId(), "user:" + user.id(), user.email(), choice.language(),
        "new_sign_in", Map.of("at", now.toString(), "device", describe(agent),
            "address", clientAddress == null ? "unknown" : clientAddress)));
  }

  /** "Firefox on Linux" from a user agent; enough for a person to recognise their device. */
  static String describe(String userAgent) {
    String ua = userAgent.toLowerCase(Locale.ROOT);
    String browser = ua.contains("edg/") ? "Edge" : ua.contains("firefox/") ? "Firefox"
        : ua.contains("chrome/") || ua.contains("chromium/") ? "Chrome" : ua.contains("safari/") ? "Safari"
        : ua.isEmpty() ? "An unknown program" : "A program";
    String system = ua.contains("android") ? "Android" : ua.contains("iphone") || ua.contains("ipad") ? "iOS"
        : ua.contains("windows") ? "Windows" : ua.contains("mac os x") ? "macOS" : ua.contains("linux") ? "Linux" : null;
    return system == null ? browser : browser + " on " + system;
  }
}
