package io.videoshop.push;

import java.time.Duration;

/**
 * One push as it goes to a push service (RFC 8030): the payload the service worker shows, the
 * {@code Topic} that makes a newer push replace an undelivered older one of the same kind, how
 * long the push service may keep it ({@code TTL}; 0: now or never) and its {@code Urgency}.
 */
public record PushMessage(byte[] payload, String topic, Duration ttl, Urgency urgency) {

  public enum Urgency {
    VERY_LOW("very-low"), LOW("low"), NORMAL("normal"), HIGH("high");

    final String header;

    Urgency(String header) {
      this.header = header;
    }
  }

  public PushMessage {
    if (payload.length > PushEncryption.MAX_PLAINTEXT) {
      throw new IllegalArgumentException("push payload too large: " + payload.length + " bytes");
    }
    if (topic != null && !topic.matches("[A-Za-z0-9_-]{1,32}")) {
      throw new IllegalArgumentException("a Topic is 1 to 32 base64url characters");
    }
    if (ttl.isNegative()) throw new IllegalArgumentException("negative TTL");
  }
}
