package io.videoshop.privacy;

import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.queue.TenantQueue;
import io.videoshop.queue.TicketDetails;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.scheduling.BookingDetails;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.jdbi.v3.core.Jdbi;

/**
 * Finds a shopper of a tenant from what a request names: an email, a phone, a ticket, booking or
 * room id. A shopper has no account: each join and each booking is a data subject of its own, so
 * the directory reads the tenant's queue and calendar journals (every ticket and booking ever
 * made, with their encrypted contact details) and gathers every subject with the same email or
 * phone as the one named: as they stand now, or as they were before a correction (the journal
 * still holds the old values under the subject's key, so a request naming them must find them).
 * Blocking; for a request job, not for a hot path.
 */
public final class ShopperDirectory {
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

  /** What a request names the shopper by. */
  public enum ReferenceType { EMAIL, PHONE, TICKET, BOOKING, ROOM }

  private final ActorSystem<?> system;
  private final Jdbi jdbi;
  private final PersonalDataVault vault;

  public ShopperDirectory(ActorSystem<?> system, Jdbi jdbi, PersonalDataVault vault) {
    this.system = system;
    this.jdbi = jdbi;
    this.vault = vault;
  }

  /** A ticket or a booking: whose it is and how to reach them, now and before corrections. */
  private record Contact(String kind, String id, String subjectId, List<EncryptedPersonalData> emails,
      List<EncryptedPersonalData> phones, Object source) {}

  /** The shopper found: their ids, and their tickets and bookings as the journals hold them (encrypted). */
  public record Shopper(ErasureTarget target, List<io.videoshop.queue.Ticket> tickets,
      List<BookingCalendar.Booking> bookings) {}

  public ErasureTarget find(String tenantId, ReferenceType type, String value) {
    return shopper(tenantId, type, value).target();
  }

  public Shopper shopper(String tenantId, ReferenceType type, String value) {
    List<Contact> contacts = contacts(tenantId);
    Map<String, String> roomOfTicket = new HashMap<>();
    jdbi.useHandle(handle -> handle.createQuery("SELECT room_id, ticket_id FROM calls WHERE tenant_id = :tenant")
        .bind("tenant", tenantId)
        .map((rs, ctx) -> Map.entry(rs.getString(2), rs.getString(1)))
        .forEach(entry -> roomOfTicket.put(entry.getKey(), entry.getValue())));

    Set<String> emails = new HashSet<>();
    Set<String> phones = new HashSet<>();
    Set<String> seeds = new HashSet<>();
    switch (type) {
      case EMAIL -> emails.add(normalEmail(value));
      case PHONE -> phones.add(normalPhone(value));
      case TICKET, BOOKING -> seeds.add(value);
      case ROOM -> roomOfTicket.forEach((ticket, room) -> {
        if (room.equals(value)) seeds.add(ticket);
      });
    }
    // The named ticket or booking gives its email and phone: the shopper's other tickets and bookings share them.
    for (Contact contact : contacts) {
      if (seeds.contains(contact.id())) {
        contact.emails().forEach(email -> text(email).map(ShopperDirectory::normalEmail).ifPresent(emails::add));
        contact.phones().forEach(phone -> text(phone).map(ShopperDirectory::normalPhone).ifPresent(phones::add));
      }
    }
    Set<String> subjects = new HashSet<>();
    Set<String> tickets = new HashSet<>();
    Set<String> bookings = new HashSet<>();
    List<io.videoshop.queue.Ticket> ticketRecords = new ArrayList<>();
    List<BookingCalendar.Booking> bookingRecords = new ArrayList<>();
    for (Contact contact : contacts) {
      boolean match = seeds.contains(contact.id())
          || contact.emails().stream().anyMatch(email ->
              text(email).map(ShopperDirectory::normalEmail).filter(emails::contains).isPresent())
          || contact.phones().stream().anyMatch(phone -> text(phone).map(ShopperDirectory::normalPhone)
              .filter(p -> !p.isEmpty() && phones.contains(p)).isPresent());
      if (!match) continue;
      subjects.add(contact.subjectId());
      (contact.kind().equals("ticket") ? tickets : bookings).add(contact.id());
      if (contact.source() instanceof io.videoshop.queue.Ticket ticket) ticketRecords.add(ticket);
      if (contact.source() instanceof BookingCalendar.Booking booking) bookingRecords.add(booking);
    }
    Set<String> rooms = new HashSet<>();
    tickets.forEach(ticket -> {
      if (roomOfTicket.containsKey(ticket)) rooms.add(roomOfTicket.get(ticket));
    });
    return new Shopper(new ErasureTarget(tenantId, subjects, tickets, bookings, rooms), ticketRecords, bookingRecords);
  }

  /** A ticket of the tenant's queue with its details as last corrected, if the tenant's journal has it. */
  public java.util.Optional<io.videoshop.queue.Ticket> ticket(String tenantId, String ticketId) {
    return java.util.Optional.ofNullable(tickets(tenantId).get(ticketId)).map(History::now);
  }

  /** A ticket or booking as it stands now, and every email and phone it had. */
  private record History<T>(T now, List<EncryptedPersonalData> emails, List<EncryptedPersonalData> phones) {
    History<T> corrected(T next, EncryptedPersonalData email, EncryptedPersonalData phone) {
      List<EncryptedPersonalData> allEmails = new ArrayList<>(emails);
      List<EncryptedPersonalData> allPhones = new ArrayList<>(phones);
      if (email != null) allEmails.add(email);
      if (phone != null) allPhones.add(phone);
      return new History<>(next, allEmails, allPhones);
    }

    static <T> History<T> of(T first, EncryptedPersonalData email, EncryptedPersonalData phone) {
      return new History<T>(null, List.of(), List.of()).corrected(first, email, phone);
    }
  }

  /** The tenant's tickets, each as joined or as last corrected, in join order. */
  private Map<String, History<io.videoshop.queue.Ticket>> tickets(String tenantId) {
    Map<String, History<io.videoshop.queue.Ticket>> tickets = new java.util.LinkedHashMap<>();
    for (Object event : events(PersistenceId.of(TenantQueue.ENTITY_KEY.name(), tenantId).id())) {
      if (event instanceof TenantQueue.TicketJoined joined && joined.ticket().details() != null) {
        TicketDetails details = joined.ticket().details();
        tickets.put(joined.ticket().ticketId(), History.of(joined.ticket(), details.email(), details.phone()));
      } else if (event instanceof TenantQueue.TicketDetailsCorrected corrected
          && tickets.containsKey(corrected.ticketId())) {
        var history = tickets.get(corrected.ticketId());
        tickets.put(corrected.ticketId(), history.corrected(history.now().withDetails(corrected.details()),
            corrected.details().email(), corrected.details().phone()));
      }
    }
    return tickets;
  }

  private List<Contact> contacts(String tenantId) {
    List<Contact> contacts = new ArrayList<>();
    tickets(tenantId).forEach((ticketId, history) -> contacts.add(new Contact("ticket", ticketId,
        history.now().details().subjectId(), history.emails(), history.phones(),
        history.now())));
    // A booking's details as made, or as last corrected.
    Map<String, History<BookingCalendar.Booking>> bookings = new java.util.LinkedHashMap<>();
    for (Object event : events(PersistenceId.of(BookingCalendar.ENTITY_KEY.name(), tenantId).id())) {
      if (event instanceof BookingCalendar.BookingMade made && made.booking().details() != null) {
        BookingDetails details = made.booking().details();
        bookings.put(made.booking().id(), History.of(made.booking(), details.email(), details.phone()));
      } else if (event instanceof BookingCalendar.BookingDetailsCorrected corrected
          && bookings.containsKey(corrected.bookingId())) {
        var history = bookings.get(corrected.bookingId());
        BookingCalendar.Booking b = history.now();
        bookings.put(b.id(), history.corrected(b.withDetails(corrected.details(), corrected.at()),
            corrected.details().email(), corrected.details().phone()));
      }
    }
    bookings.forEach((bookingId, history) -> contacts.add(new Contact("booking", bookingId,
        history.now().details().subjectId(), history.emails(), history.phones(),
        history.now())));
    return contacts;
  }

  /** Every event of one entity, oldest first. */
  List<Object> events(String persistenceId) {
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    try {
      return journal.currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
          .map(EventEnvelope::event)
          .runWith(Sink.seq(), system)
          .toCompletableFuture()
          .get(READ_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the journal of " + persistenceId, e);
    }
  }

  private java.util.Optional<String> text(EncryptedPersonalData value) {
    DecryptedPersonalData plain = vault.decrypt(value);
    return plain == null || plain.erased() || plain.value() == null || plain.value().isBlank()
        ? java.util.Optional.empty() : java.util.Optional.of(plain.value());
  }

  static String normalEmail(String email) {
    return email.strip().toLowerCase(Locale.ROOT);
  }

  static String normalPhone(String phone) {
    return phone.replaceAll("[^0-9+]", "");
  }
}
