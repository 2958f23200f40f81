package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a shopper tells the queue when joining. Personal fields arrive already encrypted under the
 * shopper's data subject (the socket layer encrypts them with the PersonalDataVault before asking
 * the queue), so they can sit in events and snapshots and be crypto-shredded later. The rest is
 * not personal and stays plain so routing and the agents' view can use it.
 *
 * @param subjectId the data subject whose key encrypts the personal fields
 * @param name required
 * @param email optional
 * @param phone optional
 * @param notes optional
 * @param language optional; when set only an agent speaking it is offered the ticket (lower case)
 * @param skills skill tags an agent must all have to be offered the ticket (lower case, may be empty)
 * @param productInterest optional free text, e.g. "running shoes"
 * @param productUrl optional page the shopper came from
 * @param consent whether the shopper agreed to be contacted after the call
 */
public record TicketDetails(
    String subjectId,
    EncryptedPersonalData name,
    EncryptedPersonalData email,
    EncryptedPersonalData phone,
    EncryptedPersonalData notes,
    String language,
    Set<String> skills,
    String productInterest,
    String productUrl,
    boolean consent)
    implements CborSerializable {

  /** Bounds that keep one ticket small in the journal; the socket layer checks them first, with its own codes. */
  public static final int MAX_TAGS = 20;
  public static final int MAX_TAG_LENGTH = 64;
  public static final int MAX_TEXT_LENGTH = 500;
  public static final int MAX_URL_LENGTH = 2048;
  public static final int MAX_CIPHERTEXT_LENGTH = 8192;

  public TicketDetails {
    language = language == null || language.isBlank() ? null : language.strip().toLowerCase(Locale.ROOT);
    skills = tags(skills);
  }

  /** For subscribers: no email, phone or notes; the encrypted name only for those that show it. */
  TicketDetails forSubscriber(boolean withName) {
    return new TicketDetails(subjectId, withName ? name : null, null, null, null, language, skills, productInterest,
        productUrl, consent);
  }

  /** These details with the personal fields (name, email, phone, notes) of {@code corrected}; the rest kept. */
  public TicketDetails withPersonal(TicketDetails corrected) {
    return new TicketDetails(subjectId, corrected.name(), corrected.email(), corrected.phone(), corrected.notes(),
        language, skills, productInterest, productUrl, consent);
  }

  /** A subject, a name, every encrypted field under that same subject, and everything within bounds. */
  public boolean wellFormed() {
    return subjectId != null && !subjectId.isBlank() && subjectId.length() <= MAX_TAG_LENGTH && name != null
        && Stream.of(name, email, phone, notes)
            .filter(Objects::nonNull)
            .allMatch(value -> subjectId.equals(value.subjectId())
                && value.ciphertext() != null && value.ciphertext().length() <= MAX_CIPHERTEXT_LENGTH)
        && tagsWithinBounds(skills) && within(language, MAX_TAG_LENGTH)
        && within(productInterest, MAX_TEXT_LENGTH) && within(productUrl, MAX_URL_LENGTH);
  }

  static boolean tagsWithinBounds(Set<String> tags) {
    return tags.size() <= MAX_TAGS && tags.stream().allMatch(tag -> tag.length() <= MAX_TAG_LENGTH);
  }

  private static boolean within(String text, int maxLength) {
    return text == null || text.length() <= maxLength;
  }

  /** Tags compare case-insensitively: stored trimmed and lower case, blanks dropped. */
  static Set<String> tags(Set<String> tags) {
    if (tags == null) return Set.of();
    return tags.stream()
        .filter(Objects::nonNull)
        .map(tag -> tag.strip().toLowerCase(Locale.ROOT))
        .filter(tag -> !tag.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }
}
