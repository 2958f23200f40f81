package io.videoshop.privacy;

import io.videoshop.domain.DomainError;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.persistence.privacy.SubjectErasedException;
import io.videoshop.queue.TenantQueue;
import io.videoshop.queue.Ticket;
import io.videoshop.queue.TicketDetails;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.scheduling.BookingCalendars;
import io.videoshop.scheduling.BookingDetails;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Correcting a shopper's details (the right to rectification) on a booking or on a queue ticket:
 * the new values are encrypted under the booking's or ticket's own data subject and recorded by
 * the calendar or the queue as a new event, so the journal keeps no plain text and every read
 * shows the corrected value (the bookings list, the confirmation, the agents' queue view, the
 * call summary, the export, the erasure's search). Blocking; called on the blocking dispatcher.
 */
public final class ShopperCorrections {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s]{1,63}");
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  /** Null fields keep their value; an empty phone or notes (and a ticket's email) removes it. */
  public record Correction(String name, String email, String phone, String notes) {
    /** The names of the fields it changes, for the audit entry (never their values). */
    public List<String> fields() {
      List<String> fields = new ArrayList<>();
      if (name != null) fields.add("name");
      if (email != null) fields.add("email");
      if (phone != null) fields.add("phone");
      if (notes != null) fields.add("notes");
      return fields;
    }
  }

  private final BookingCalendars calendars;
  private final ShopperDirectory directory;
  private final ClusterSharding sharding;
  private final PersonalDataVault vault;

  public ShopperCorrections(BookingCalendars calendars, ShopperDirectory directory, ActorSystem<?> system,
      PersonalDataVault vault) {
    this.calendars = calendars;
    this.directory = directory;
    this.sharding = ClusterSharding.get(system);
    this.vault = vault;
  }

  public BookingCalendar.Booking correctBooking(String tenantId, String bookingId, Correction correction) {
    // Another tenant's booking (or none) is 404 before the body is judged.
    BookingCalendar.Booking booking = BookingCalendars.accepted(await(calendars.<BookingCalendar.BookingReply>ask(
        tenantId, replyTo -> new BookingCalendar.GetBooking(bookingId, replyTo)), "calendar_unavailable",
        "The booking calendar did not answer in time; try again"));
    check(correction, false);
    BookingDetails old = booking.details();
    String subject = old.subjectId();
    BookingDetails corrected = sealed(subject, () -> new BookingDetails(subject,
        correction.name() == null ? old.name() : vault.encrypt(subject, correction.name().strip()),
        correction.email() == null ? old.email() : vault.encrypt(subject, correction.email().strip()),
        correction.phone() == null ? old.phone() : seal(subject, correction.phone()),
        correction.notes() == null ? old.notes() : seal(subject, correction.notes()),
        old.productInterest(), old.shopperTimeZone(), old.consent()));
    return BookingCalendars.accepted(await(calendars.<BookingCalendar.BookingReply>ask(tenantId,
        replyTo -> new BookingCalendar.CorrectDetails(bookingId, corrected, replyTo)), "calendar_unavailable",
        "The booking calendar did not answer in time; try again"));
  }

  /**
   * A ticket's details, waiting or long gone: found in the tenant's queue journal (another
   * tenant's ticket, or none, is 404 before the body is judged), corrected by the queue.
   */
  public TenantQueue.TicketCorrected correctTicket(String tenantId, String ticketId, Correction correction) {
    Ticket ticket = directory.ticket(tenantId, ticketId)
        .orElseThrow(() -> DomainError.notFound("ticket_not_found", "No such ticket"));
    check(correction, true);
    TicketDetails old = ticket.details();
    String subject = old.subjectId();
    TicketDetails corrected = sealed(subject, () -> new TicketDetails(subject,
        correction.name() == null ? old.name() : vault.encrypt(subject, correction.name().strip()),
        correction.email() == null ? old.email() : seal(subject, correction.email()),
        correction.phone() == null ? old.phone() : seal(subject, correction.phone()),
        correction.notes() == null ? old.notes() : seal(subject, correction.notes()),
        old.language(), old.skills(), old.productInterest(), old.productUrl(), old.consent()));
    TenantQueue.CorrectionReply reply = await(sharding.entityRefFor(TenantQueue.ENTITY_KEY, tenantId)
        .<TenantQueue.CorrectionReply>ask(replyTo -> new TenantQueue.CorrectTicketDetails(ticketId, corrected, replyTo),
            ASK_TIMEOUT), "queue_unavailable", "The queue did not answer in time; try again");
    if (reply instanceof TenantQueue.TicketCorrected done) return done;
    // The queue judges what the checks above let through; a refusal here means the values are out of its bounds.
    throw DomainError.invalid("name", "invalid_details",
        "The queue refused the details: " + ((TenantQueue.Refused) reply).reason().code());
  }

  /** The body's rules, before anything is encrypted or asked: nothing is half-changed. */
  private static void check(Correction correction, boolean emailOptional) {
    if (correction.fields().isEmpty()) {
      throw DomainError.invalid("name", "required", "name, email, phone or notes: at least one to correct");
    }
    if (correction.name() != null && (correction.name().isBlank() || correction.name().length() > 200)) {
      throw DomainError.invalid("name", "required", "a name of 1 to 200 characters");
    }
    boolean removesEmail = emailOptional && correction.email() != null && correction.email().isBlank();
    if (correction.email() != null && !removesEmail && !EMAIL.matcher(correction.email().strip()).matches()) {
      throw DomainError.invalid("email", "invalid_email", "must be an email address");
    }
  }

  /** Encrypts under the subject; an erased subject has no key any more (a removal alone encrypts nothing): 409. */
  private <T> T sealed(String subject, Supplier<T> encrypt) {
    if (vault.erasedAt(subject).isPresent()) {
      throw DomainError.conflict("subject_erased", "This shopper's data has been erased");
    }
    try {
      return encrypt.get();
    } catch (SubjectErasedException e) {
      throw DomainError.conflict("subject_erased", "This shopper's data has been erased");
    }
  }

  private EncryptedPersonalData seal(String subject, String value) {
    return value.isBlank() ? null : vault.encrypt(subject, value.strip());
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage, String unavailable, String detail) {
    try {
      return stage.toCompletableFuture().get(ASK_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof java.util.concurrent.TimeoutException) throw DomainError.unavailable(unavailable, detail);
      if (e.getCause() instanceof RuntimeException runtime) throw runtime;
      throw new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw DomainError.unavailable(unavailable, detail);
    }
  }
}
