package io.videoshop.queue;

import io.videoshop.persistence.privacy.EncryptedPersonalData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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

  /** A clock tests move by hand, so idle times and deadlines are exact. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
