package io.videoshop.privacy;

import io.videoshop.http.ApiError;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.persistence.privacy.SubjectErasedException;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.scheduling.BookingCalendars;
import io.videoshop.scheduling.BookingDetails;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Correcting a shopper's details on a booking (the right to rectification): the new values are
 * encrypted under the booking's own data subject and recorded by the calendar as a new event, so
 * the journal keeps no plain text and every read (the bookings list, the confirmation, the
 * export) shows the corrected value. Blocking; called on the blocking dispatcher.
 */
public final class ShopperCorrections {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s]{1,63}");

  /** Null fields keep their value; an empty phone or notes removes it. */
  public record Correction(String name, String email, String phone, String notes) {}

  private final BookingCalendars calendars;
  private final PersonalDataVault vault;

  public ShopperCorrections(BookingCalendars calendars, PersonalDataVault vault) {
    this.calendars = calendars;
    this.vault = vault;
  }

  public BookingCalendar.Booking correctBooking(String tenantId, String bookingId, Correction correction) {
    // Another tenant's booking (or none) is 404 before the body is judged.
    BookingCalendar.Booking booking = BookingCalendars.accepted(await(calendars.<BookingCalendar.BookingReply>ask(
        tenantId, replyTo -> new BookingCalendar.GetBooking(bookingId, replyTo))));
    if (correction.name() == null && correction.email() == null && correction.phone() == null
        && correction.notes() == null) {
      throw ApiError.invalid("name", "required", "name, email, phone or notes: at least one to correct");
    }
    if (correction.name() != null && (correction.name().isBlank() || correction.name().length() > 200)) {
      throw ApiError.invalid("name", "required", "a name of 1 to 200 characters");
    }
    if (correction.email() != null && !EMAIL.matcher(correction.email().strip()).matches()) {
      throw ApiError.invalid("email", "invalid_email", "must be an email address");
    }
    BookingDetails old = booking.details();
    String subject = old.subjectId();
    try {
      BookingDetails corrected = new BookingDetails(subject,
          correction.name() == null ? old.name() : vault.encrypt(subject, correction.name().strip()),
          correction.email() == null ? old.email() : vault.encrypt(subject, correction.email().strip()),
          correction.phone() == null ? old.phone() : seal(subject, correction.phone()),
          correction.notes() == null ? old.notes() : seal(subject, correction.notes()),
          old.productInterest(), old.shopperTimeZone(), old.consent());
      return BookingCalendars.accepted(await(calendars.<BookingCalendar.BookingReply>ask(tenantId,
          replyTo -> new BookingCalendar.CorrectDetails(bookingId, corrected, replyTo))));
    } catch (SubjectErasedException e) {
      throw ApiError.conflict("subject_erased", "This shopper's data has been erased");
    }
  }

  private EncryptedPersonalData seal(String subject, String value) {
    return value.isBlank() ? null : vault.encrypt(subject, value.strip());
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) throw runtime;
      throw new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ApiError(org.apache.pekko.http.javadsl.model.StatusCodes.SERVICE_UNAVAILABLE, "calendar_unavailable",
          "The booking calendar did not answer in time; try again");
    }
  }
}
