package io.videoshop.notification;

import java.util.Map;

/**
 * A mail as the outbox stores it (encrypted, as JSON): who gets it, in which language, which
 * template with which values. It is rendered when it is delivered, with the tenant's current
 * sender name, reply-to and colour.
 *
 * @param unsubscribeToken for non-essential mail: the token of the one-click unsubscribe link
 */
public record MailMessage(String to, String language, String template, Map<String, Object> values,
    String unsubscribeToken) {

  @Override
  public String toString() {
    return "MailMessage[template=" + template + ", language=" + language + "]";
  }
}
