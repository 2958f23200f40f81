package io.videoshop.push;

import io.videoshop.domain.Caller;
import io.videoshop.audit.AuditLog;
import io.videoshop.config.PushSettings;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The browsers each user subscribed to push ({@code push_subscriptions}) and who turned push off
 * ({@code push_opt_outs}, or {@code nonEssentialPush: false} in their notification preferences:
 * every agent push is non-essential, the console shows the same). A subscription's endpoint and
 * keys identify a person's browser: they are sealed under the user's personal-data key, so erasing
 * the user makes them unreadable.
 *
 * <p>Every method does JDBC: call it on the blocking dispatcher.
 */
public final class PushSubscriptions {
  static final int MAX_ENDPOINT_LENGTH = 2048;

  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final AuditLog audit;
  private final PushSettings settings;
  private final Clock clock;

  public PushSubscriptions(Jdbi jdbi, PersonalDataVault vault, AuditLog audit, PushSettings settings, Clock clock) {
    this.jdbi = jdbi;
    this.vault = vault;
    this.audit = audit;
    this.settings = settings;
    this.clock = clock;
  }

  /** A browser's subscription as the Push API's {@code PushSubscription.toJSON()} gives it. */
  public record Subscribe(String endpoint, Long expirationTime, Keys keys) {
    public record Keys(String p256dh, String auth) {}
  }

  /** A subscription as its user sees it: which push service, since when; never the endpoint itself. */
  public record Subscription(String id, String pushService, Instant createdAt, Instant lastDeliveredAt) {}

  public record Preferences(boolean pushEnabled) {}

  /** A change of {@link Preferences}; a missing field is an error, never a silent "off". */
  public record ChangePreferences(Boolean pushEnabled) {}

  public static String subjectOf(String userId) {
    return "user-" + userId;
  }

  /**
   * Subscribes the caller's browser; the same browser subscribing again (same endpoint) gets its
   * row back with the new keys.
   */
  public Subscription subscribe(Caller caller, Subscribe request) {
    requireUser(caller);
    URI endpoint = checkEndpoint(request == null ? null : request.endpoint());
    Subscribe.Keys keys = request.keys();
    if (keys == null) throw PushRefused.invalid("keys", "required", "is required");
    byte[] p256dh = decode("keys.p256dh", keys.p256dh(), 65, 100);
    try {
      PushEncryption.publicKey(p256dh);
    } catch (IllegalArgumentException e) {
      throw PushRefused.invalid("keys.p256dh", "invalid_key", "must be the browser's P-256 public key");
    }
    byte[] auth = decode("keys.auth", keys.auth(), 16, 40);
    if (auth.length != 16) throw PushRefused.invalid("keys.auth", "invalid_key", "must be a 16-byte secret");

    String subject = subjectOf(caller.id());
    String hash = hash(endpoint.toString());
    List<EncryptedPersonalData> sealed = List.of(vault.encrypt(subject, endpoint.toString()),
        vault.encrypt(subject, keys.p256dh()), vault.encrypt(subject, keys.auth()));
    Instant now = clock.instant();
    return jdbi.inTransaction(handle -> {
      Optional<String> existing = handle.createQuery("SELECT id FROM push_subscriptions WHERE endpoint_hash = :h")
          .bind("h", hash).mapTo(String.class).findOne();
      if (existing.isPresent()) {
        // The same browser again (a new key after the console's re-subscribe, or another user
        // signed in on it): the newest subscriber owns it.
        handle.createUpdate("""
                UPDATE push_subscriptions SET tenant_id = :tenant, user_id = :user, endpoint_sealed = :e,
                  p256dh_sealed = :k, auth_sealed = :a WHERE id = :id""")
            .bind("tenant", caller.tenantId()).bind("user", caller.id()).bind("e", sealed.get(0).ciphertext())
            .bind("k", sealed.get(1).ciphertext()).bind("a", sealed.get(2).ciphertext()).bind("id", existing.get())
            .execute();
        return byId(handle, existing.get()).orElseThrow();
      }
      int count = handle.createQuery("SELECT COUNT(*) FROM push_subscriptions WHERE user_id = :u")
          .bind("u", caller.id()).mapTo(Integer.class).one();
      if (count >= settings.maxSubscriptionsPerUser()) {
        throw PushRefused.of(PushRefused.Reason.LIMIT_REACHED, "push_subscription_limit", "At most "
            + settings.maxSubscriptionsPerUser() + " browsers per user receive push; remove one first");
      }
      String id = "psub_" + UUID.randomUUID().toString().replace("-", "");
      handle.createUpdate("""
              INSERT INTO push_subscriptions (id, tenant_id, user_id, endpoint_hash, push_service, endpoint_sealed,
                p256dh_sealed, auth_sealed, created_at)
              VALUES (:id, :tenant, :user, :h, :service, :e, :k, :a, :now)""")
          .bind("id", id).bind("tenant", caller.tenantId()).bind("user", caller.id()).bind("h", hash)
          .bind("service", endpoint.getHost()).bind("e", sealed.get(0).ciphertext())
          .bind("k", sealed.get(1).ciphertext()).bind("a", sealed.get(2).ciphertext())
          .bind("now", Timestamp.from(now)).execute();
      Subscription created = byId(handle, id).orElseThrow();
      audit.record(handle, caller, new AuditLog.Change(caller.tenantId(), "push_subscription.created",
          "push_subscription", id, null, created));
      return created;
    });
  }

  public List<Subscription> list(Caller caller) {
    requireUser(caller);
    return jdbi.withHandle(handle -> handle.createQuery("""
            SELECT id, push_service, created_at, last_delivered_at FROM push_subscriptions
            WHERE user_id = :u ORDER BY created_at, id""")
        .bind("u", caller.id()).map((rs, ctx) -> view(rs)).list());
  }

  public void remove(Caller caller, String subscriptionId) {
    requireUser(caller);
    jdbi.useTransaction(handle -> {
      Subscription before = handle.createQuery("""
              SELECT id, push_service, created_at, last_delivered_at FROM push_subscriptions
              WHERE id = :id AND user_id = :u""")
          .bind("id", subscriptionId).bind("u", caller.id()).map((rs, ctx) -> view(rs)).findOne()
          .orElseThrow(() -> PushRefused.of(PushRefused.Reason.NOT_FOUND, "push_subscription_not_found",
              "You have no push subscription with this id"));
      handle.createUpdate("DELETE FROM push_subscriptions WHERE id = :id").bind("id", subscriptionId).execute();
      audit.record(handle, caller, new AuditLog.Change(caller.tenantId(), "push_subscription.removed",
          "push_subscription", subscriptionId, before, null));
    });
  }

  public Preferences preferences(Caller caller) {
    requireUser(caller);
    return new Preferences(pushEnabled(caller.id()));
  }

  public Preferences changePreferences(Caller caller, ChangePreferences change) {
    requireUser(caller);
    if (change == null || change.pushEnabled() == null) {
      throw PushRefused.invalid("pushEnabled", "required", "is required");
    }
    Preferences request = new Preferences(change.pushEnabled());
    return jdbi.inTransaction(handle -> {
      boolean before = enabled(handle, caller.id());
      if (before == request.pushEnabled()) return request;
      if (request.pushEnabled()) {
        handle.createUpdate("DELETE FROM push_opt_outs WHERE user_id = :u").bind("u", caller.id()).execute();
      } else {
        handle.createUpdate("INSERT INTO push_opt_outs (user_id, tenant_id, opted_out_at) VALUES (:u, :t, :now)")
            .bind("u", caller.id()).bind("t", caller.tenantId()).bind("now", Timestamp.from(clock.instant()))
            .execute();
      }
      audit.record(handle, caller, new AuditLog.Change(caller.tenantId(), "push_preferences.changed", "user",
          caller.id(), new Preferences(before), request));
      return request;
    });
  }

  /** Whether the user wants push (no opt-out recorded). */
  public boolean pushEnabled(String userId) {
    return jdbi.withHandle(handle -> enabled(handle, userId));
  }

  /**
   * The ids of the browsers to push to for this user: none when the user opted out or is
   * deactivated. In the caller's transaction.
   */
  public static List<String> recipients(Connection connection, String userId) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("""
        SELECT s.id FROM push_subscriptions s JOIN users u ON u.id = s.user_id AND u.status = 'active'
        WHERE s.user_id = ? AND NOT EXISTS (SELECT 1 FROM push_opt_outs o WHERE o.user_id = s.user_id)
          AND NOT EXISTS (SELECT 1 FROM user_notification_preferences p WHERE p.user_id = s.user_id
            AND p.non_essential_push = FALSE)
        ORDER BY s.id""")) {
      query.setString(1, userId);
      List<String> ids = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) ids.add(rows.getString(1));
      }
      return ids;
    }
  }

  /**
   * A subscription ready to send to (decrypted), if it still exists, its user is active and still
   * wants push, and its data is not erased (an erased one is removed).
   */
  public Optional<PushTarget> target(String subscriptionId) {
    Optional<Map<String, Object>> row = jdbi.withHandle(handle -> handle.createQuery("""
            SELECT s.user_id, s.endpoint_sealed, s.p256dh_sealed, s.auth_sealed, o.user_id AS opted_out,
              p.non_essential_push AS wants_push
            FROM push_subscriptions s JOIN users u ON u.id = s.user_id AND u.status = 'active'
            LEFT JOIN push_opt_outs o ON o.user_id = s.user_id
            LEFT JOIN user_notification_preferences p ON p.user_id = s.user_id WHERE s.id = :id""")
        .bind("id", subscriptionId).mapToMap().findOne());
    if (row.isEmpty() || row.get().get("opted_out") != null || Boolean.FALSE.equals(row.get().get("wants_push"))) {
      return Optional.empty();
    }
    String subject = subjectOf((String) row.get().get("user_id"));
    List<String> values = new ArrayList<>();
    for (String column : List.of("endpoint_sealed", "p256dh_sealed", "auth_sealed")) {
      DecryptedPersonalData value = vault.decrypt(new EncryptedPersonalData(subject, (String) row.get().get(column)));
      if (value.erased()) {
        removeGone(subscriptionId);
        return Optional.empty();
      }
      values.add(value.value());
    }
    return Optional.of(new PushTarget(subscriptionId, URI.create(values.get(0)),
        Base64.getUrlDecoder().decode(values.get(1)), Base64.getUrlDecoder().decode(values.get(2))));
  }

  /** The push service said the subscription is gone (404/410): it is removed. */
  public void removeGone(String subscriptionId) {
    jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM push_subscriptions WHERE id = :id")
        .bind("id", subscriptionId).execute());
  }

  public void delivered(String subscriptionId) {
    jdbi.useHandle(handle -> handle.createUpdate("UPDATE push_subscriptions SET last_delivered_at = :now WHERE id = :id")
        .bind("now", Timestamp.from(clock.instant())).bind("id", subscriptionId).execute());
  }

  private URI checkEndpoint(String raw) {
    if (raw == null || raw.isBlank()) throw PushRefused.invalid("endpoint", "required", "is required");
    if (raw.length() > MAX_ENDPOINT_LENGTH) {
      throw PushRefused.invalid("endpoint", "too_long", "must be at most " + MAX_ENDPOINT_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      throw PushRefused.invalid("endpoint", "invalid_url", "must be an absolute https URL");
    }
    boolean schemeOk = "https".equalsIgnoreCase(uri.getScheme())
        || (settings.allowPlainHttp() && "http".equalsIgnoreCase(uri.getScheme()));
    if (!schemeOk || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw PushRefused.invalid("endpoint", "invalid_url", "must be an absolute https URL");
    }
    if (!settings.allowsHost(uri.getHost())) {
      throw PushRefused.of(PushRefused.Reason.ENDPOINT_NOT_ALLOWED, "push_endpoint_not_allowed",
          "The endpoint is not at a known push service");
    }
    return uri;
  }

  private static byte[] decode(String field, String value, int minBytes, int maxChars) {
    if (value == null || value.isEmpty()) throw PushRefused.invalid(field, "required", "is required");
    if (value.length() > maxChars || !value.matches("[A-Za-z0-9_-]+=*")) {
      throw PushRefused.invalid(field, "invalid_key", "must be base64url");
    }
    byte[] bytes = Base64.getUrlDecoder().decode(value.replace("=", ""));
    if (bytes.length < minBytes) throw PushRefused.invalid(field, "invalid_key", "is too short");
    return bytes;
  }

  private static void requireUser(Caller caller) {
    if (caller.kind() != Caller.Kind.USER || caller.tenantId() == null) {
      throw PushRefused.of(PushRefused.Reason.NOT_A_USER, "push_for_users_only",
          "Push goes to the browsers of a store's signed-in users, not to API keys or the platform operator");
    }
  }

  private static boolean enabled(Handle handle, String userId) {
    return handle.createQuery("SELECT COUNT(*) FROM push_opt_outs WHERE user_id = :u").bind("u", userId)
        .mapTo(Integer.class).one() == 0;
  }

  private static Optional<Subscription> byId(Handle handle, String id) {
    return handle.createQuery(
            "SELECT id, push_service, created_at, last_delivered_at FROM push_subscriptions WHERE id = :id")
        .bind("id", id).map((rs, ctx) -> view(rs)).findOne();
  }

  private static Subscription view(ResultSet rs) throws SQLException {
    Timestamp delivered = rs.getTimestamp("last_delivered_at");
    return new Subscription(rs.getString("id"), rs.getString("push_service"), rs.getTimestamp("created_at").toInstant(),
        delivered == null ? null : delivered.toInstant());
  }

  static String hash(String endpoint) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(endpoint.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
