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

  public TicketDetails {
    language = language == null || language.isBlank() ? null : language.strip().toLowerCase(Locale.ROOT);
    skills = tags(skills);
  }

  /** A subject, a name, and every encrypted field under that same subject. */
  public boolean wellFormed() {
    return subjectId != null && !subjectId.isBlank() && name != null
        && Stream.of(name, email, phone, notes)
            .filter(Objects::nonNull)
            .allMatch(value -> subjectId.equals(value.subjectId()));
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
