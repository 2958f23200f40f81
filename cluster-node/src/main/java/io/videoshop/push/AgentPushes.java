package io.videoshop.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What agents are pushed, as the console's service worker shows it ({@code kind}, {@code title},
 * {@code body}, {@code url}, {@code tag}). Pushes carry no shopper's name or interest: the push
 * service sees only ciphertext, but the payload also waits in the outbox, and the console shows
 * the details once opened. Each kind has its {@code Topic}, so a newer push of the same kind
 * replaces one the push service has not delivered yet, and a {@code TTL} after which it is
 * worthless.
 */
public final class AgentPushes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AgentPushes() {}

  /**
   * A shopper is offered to the agent: worth delivering only until the reservation expires, so
   * the TTL is the reservation's remaining time (none left: nothing to send).
   */
  public static PushMessage offer(Instant expiresAt, Instant now) {
    Duration left = Duration.between(now, expiresAt);
    long seconds = Math.max(0, left.toSeconds());
    return new PushMessage(payload("offer", "A shopper for you",
        "Accept within " + seconds + " seconds in your console", "/console", "offer"),
        "offer", left.isNegative() ? Duration.ZERO : left, PushMessage.Urgency.HIGH);
  }

  /**
   * A shopper who booked a time with the agent has arrived ({@code scheduling.BookedArrivalsProjection}).
   * Good for as long as the shopper is held for the agent.
   */
  public static PushMessage bookedShopperArrived(String appointmentId, Duration heldFor) {
    return new PushMessage(payload("booked-shopper-arrived", "Your booked shopper is here",
        "Open your console to start the call", "/console", "arrived-" + topicId(appointmentId)),
        topic("arrived", appointmentId), heldFor, PushMessage.Urgency.HIGH);
  }

  /** An appointment starts soon ({@code scheduling.BookingMails}, due before it). Useless once it has started. */
  public static PushMessage appointmentReminder(String appointmentId, Instant startsAt, Instant now) {
    Duration left = Duration.between(now, startsAt);
    long minutes = Math.max(0, (left.toSeconds() + 59) / 60);
    return new PushMessage(payload("appointment-reminder", "An appointment soon",
        "A booked call starts in " + minutes + " minute" + (minutes == 1 ? "" : "s"), "/console",
        "reminder-" + topicId(appointmentId)),
        topic("reminder", appointmentId), left.isNegative() ? Duration.ZERO : left, PushMessage.Urgency.NORMAL);
  }

  /** A Topic (at most 32 base64url characters) for one thing of a kind: the kind and a digest of its id. */
  static String topic(String kind, String id) {
    String topic = kind + "-" + topicId(id);
    return topic.length() > 32 ? topic.substring(0, 32) : topic;
  }

  private static String topicId(String id) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] payload(String kind, String title, String body, String url, String tag) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("kind", kind);
    payload.put("title", title);
    payload.put("body", body);
    payload.put("url", url);
    payload.put("tag", tag);
    try {
      return JSON.writeValueAsBytes(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
