package io.videoshop.queue;

import io.videoshop.persistence.privacy.EncryptedPersonalData;
import java.util.Set;

/** Ticket details as the socket layer hands them over: personal fields already "encrypted". */
final class TestTickets {
  private TestTickets() {}

  static TicketDetails details(String shopper) {
    return details(shopper, null);
  }

  static TicketDetails details(String shopper, String language, String... skills) {
    return new TicketDetails(
        shopper,
        sealed(shopper, "name"),
        sealed(shopper, "email"),
        null,
        null,
        language,
        Set.of(skills),
        "running shoes",
        "https://shop.example/shoes/42",
        true);
  }

  private static EncryptedPersonalData sealed(String subject, String field) {
    // Stands in for AES-GCM output: the queue never looks inside.
    return new EncryptedPersonalData(subject, "ciphertext-of-" + field);
  }
}
