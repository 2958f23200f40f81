package io.videoshop.notification;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import java.util.Map;

/**
 * A mail as the outbox stores it (encrypted, as JSON): who gets it, in which language, which
 * template with which values, and its attachments (e.g. a booking's calendar invitation, which
 * names the shopper and so waits in the outbox encrypted like the rest). It is rendered when it
 * is delivered, with the tenant's current sender name, reply-to and colour.
 *
 * @param unsubscribeToken for non-essential mail: the token of the one-click unsubscribe link
 * @param attachments none for most mail (never null)
 */
public record MailMessage(String to, String language, String template, Map<String, Object> values,
    String unsubscribeToken, List<Attachment> attachments) {

  /**
   * A file the mail carries: its name, MIME type (e.g. {@code text/calendar; method=REQUEST}) and
   * content, base64 (the platform's JSON refuses control characters in strings, and an ICS has CRLFs).
   */
  public record Attachment(String name, String contentType, String base64) {
    public static Attachment text(String name, String contentType, String text) {
      return new Attachment(name, contentType,
          java.util.Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    public byte[] bytes() {
      return java.util.Base64.getDecoder().decode(base64);
    }

    @Override
    public String toString() {
      return "Attachment[" + name + "]";
    }
  }

  @JsonCreator
  public MailMessage {
    attachments = attachments == null ? List.of() : List.copyOf(attachments);
  }

  public MailMessage(String to, String language, String template, Map<String, Object> values, String unsubscribeToken) {
    this(to, language, template, values, unsubscribeToken, List.of());
  }

  @Override
  public String toString() {
    return "MailMessage[template=" + template + ", language=" + language + "]";
  }
}
