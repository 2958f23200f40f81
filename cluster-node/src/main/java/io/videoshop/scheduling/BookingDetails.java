package io.videoshop.scheduling;

import io.videoshop.persistence.CborSerializable;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What a shopper tells when booking. Like the queue's ticket details, the personal fields arrive
 * encrypted under the shopper's data subject (the route encrypts them with the
 * PersonalDataVault before asking the calendar), so the journal and snapshots hold ciphertext
 * only and erasing the subject shreds every copy.
 *
 * @param name required
 * @param email required: the confirmation, the invitation and the reminders go there
 * @param phone optional
 * @param notes optional
 * @param productInterest optional, not personal (routing and the agent's preparation use it)
 * @param shopperTimeZone the zone the shopper saw the slots in (the confirmation shows both)
 * @param consent the shopper agreed to be contacted about the booking
 * @param language the widget's language when booking (the mails' language), or null
 */
public record BookingDetails(
    String subjectId,
    EncryptedPersonalData name,
    EncryptedPersonalData email,
    EncryptedPersonalData phone,
    EncryptedPersonalData notes,
    String productInterest,
    String shopperTimeZone,
    boolean consent,
    String language)
    implements CborSerializable {

  /** Details without a language (English mail). */
  public BookingDetails(String subjectId, EncryptedPersonalData name, EncryptedPersonalData email,
      EncryptedPersonalData phone, EncryptedPersonalData notes, String productInterest, String shopperTimeZone,
      boolean consent) {
    this(subjectId, name, email, phone, notes, productInterest, shopperTimeZone, consent, null);
  }

  public static final int MAX_CIPHERTEXT_LENGTH = 8192;
  public static final int MAX_TEXT_LENGTH = 500;

  /** A subject, a name and an email, each encrypted field under that subject, everything within bounds. */
  public boolean wellFormed() {
    return subjectId != null && !subjectId.isBlank() && subjectId.length() <= 64 && name != null && email != null
        && consent
        && Stream.of(name, email, phone, notes).filter(Objects::nonNull)
            .allMatch(value -> subjectId.equals(value.subjectId()) && value.ciphertext() != null
                && value.ciphertext().length() <= MAX_CIPHERTEXT_LENGTH)
        && (productInterest == null || productInterest.length() <= MAX_TEXT_LENGTH)
        && (shopperTimeZone == null || shopperTimeZone.length() <= 64)
        && (language == null || language.length() <= 16);
  }
}
