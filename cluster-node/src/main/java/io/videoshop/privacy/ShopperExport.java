package io.videoshop.privacy;

import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.queue.Ticket;
import io.videoshop.queue.TicketDetails;
import io.videoshop.room.CallRoom;
import io.videoshop.scheduling.BookingCalendar;
import io.videoshop.scheduling.BookingDetails;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.jdbi.v3.core.Jdbi;

/**
 * A shopper's data as a machine-readable bundle (access and portability): a zip of JSON files,
 * CSV for the tabular ones, and {@code manifest.json} naming each file, its records and the
 * region. Decrypted here, for the one request; never stored.
 */
public final class ShopperExport {
  public static final String FORMAT = "videoshop-shopper-export/1";

  private final ShopperDirectory directory;
  private final Jdbi jdbi;
  private final PersonalDataVault vault;
  private final String region;
  private final Clock clock;

  public ShopperExport(ShopperDirectory directory, Jdbi jdbi, PersonalDataVault vault, String region, Clock clock) {
    this.directory = directory;
    this.jdbi = jdbi;
    this.vault = vault;
    this.region = region;
    this.clock = clock;
  }

  /** The bundle's files, in order: name to rows (a list of objects, each a map of column to value). */
  public byte[] zip(String tenantId, ShopperDirectory.ReferenceType type, String value) {
    ShopperDirectory.Shopper shopper = directory.shopper(tenantId, type, value);
    ErasureTarget target = shopper.target();
    Map<String, List<Map<String, Object>>> files = new LinkedHashMap<>();
    List<Map<String, Object>> consents = new ArrayList<>();
    Map<String, Consents.Consent> recorded = new java.util.HashMap<>();
    Consents.of(jdbi, vault, target.subjectIds()).forEach(r -> recorded.put(r.subjectId(), r.consent()));
    List<Map<String, Object>> tickets = new ArrayList<>();
    for (Ticket ticket : shopper.tickets()) {
      TicketDetails d = ticket.details();
      tickets.add(row("ticketId", ticket.ticketId(), "joinedAt", ticket.joinedAt(), "name", text(d.name()),
          "email", text(d.email()), "phone", text(d.phone()), "notes", text(d.notes()), "language", d.language(),
          "skills", d.skills() == null ? "" : String.join(" ", d.skills()), "productInterest", d.productInterest(),
          "productUrl", d.productUrl(), "consentToContact", d.consent()));
      consents.add(consent(recorded, d.subjectId(), "ticket", ticket.ticketId(), ticket.joinedAt(),
          d.consent() ? "call, call-summary-mail" : "call"));
    }
    List<Map<String, Object>> bookings = new ArrayList<>();
    for (BookingCalendar.Booking booking : shopper.bookings()) {
      BookingDetails d = booking.details();
      bookings.add(row("bookingId", booking.id(), "start", booking.start(), "end", booking.end(), "agentId",
          booking.agentId(), "createdAt", booking.createdAt(), "name", text(d.name()), "email", text(d.email()),
          "phone", text(d.phone()), "notes", text(d.notes()), "productInterest", d.productInterest(),
          "timeZone", d.shopperTimeZone()));
      consents.add(consent(recorded, d.subjectId(), "booking", booking.id(), booking.createdAt(),
          d.consent() ? "call, booking mails" : "call"));
    }
    // Booking status as the calendar holds it now (the BookingMade event is its first state).
    jdbi.useHandle(handle -> {
      for (Map<String, Object> booking : bookings) {
        handle.createQuery("SELECT status FROM bookings WHERE booking_id = :id").bind("id", booking.get("bookingId"))
            .mapTo(String.class).findOne().ifPresent(status -> booking.put("status", status));
      }
    });
    files.put("tickets", tickets);
    files.put("bookings", bookings);
    files.put("calls", jdbi.withHandle(handle -> handle.createQuery("""
            SELECT room_id, ticket_id, agent_id, status, created_at, started_at, ended_at, duration_seconds, end_reason,
              minutes, products_shown, added_to_cart, rating, outcome FROM calls WHERE room_id IN (<rooms>)
              ORDER BY created_at""")
        .bindList("rooms", nonEmpty(target.roomIds())).mapToMap().list()));
    List<Map<String, Object>> devices = new ArrayList<>();
    List<Map<String, Object>> feedback = new ArrayList<>();
    for (String room : target.roomIds()) {
      for (Object event : directory.events(PersistenceId.of(CallRoom.ENTITY_KEY.name(), room).id())) {
        if (event instanceof CallRoom.ParticipantJoined joined && "shopper".equals(joined.role())) {
          devices.add(row("roomId", room, "at", joined.at(), "ip", text(joined.ip()), "userAgent", joined.userAgent()));
        } else if (event instanceof CallRoom.DeviceReported device && "shopper".equals(device.role())) {
          devices.add(row("roomId", room, "at", device.at(), "connectionType", device.connectionType(),
              "platform", device.platform()));
        } else if (event instanceof CallRoom.FeedbackGiven given) {
          feedback.add(row("roomId", room, "at", given.at(), "rating", given.rating(), "comment", text(given.comment())));
        }
      }
    }
    files.put("devices", devices);
    files.put("feedback", feedback);
    files.put("consents", consents);
    files.put("messages", jdbi.withHandle(handle -> handle.createQuery("""
            SELECT kind, topic, status, attempts, created_at, due_at, finished_at FROM outbox
            WHERE subject_id IN (<subjects>) ORDER BY created_at""")
        .bindList("subjects", nonEmpty(target.subjectIds())).mapToMap().list()));
    // Webhook messages whose body carried their name, email or phone (endpoints with includePersonalData).
    files.put("webhooks", jdbi.withHandle(handle -> handle.createQuery("""
            SELECT id, endpoint_id, event_type, status, attempts, created_at, finished_at FROM webhook_messages
            WHERE tenant_id = :tenant AND personal_subject IN (<subjects>) ORDER BY created_at, ordinal""")
        .bind("tenant", tenantId).bindList("subjects", nonEmpty(target.subjectIds())).mapToMap().list()));
    files.put("audit", jdbi.withHandle(handle -> handle.createQuery("""
            SELECT id, at, actor_type, actor_id, action, target_type, target_id FROM audit_log
            WHERE tenant_id = :tenant AND (target_id IN (<ids>) OR actor_id IN (<ids>)) ORDER BY id""")
        .bind("tenant", tenantId).bindList("ids", nonEmpty(target.allIds())).mapToMap().list()));

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("format", FORMAT);
    manifest.put("tenantId", tenantId);
    manifest.put("region", region);
    manifest.put("generatedAt", clock.instant().toString());
    manifest.put("referenceType", type.name().toLowerCase(java.util.Locale.ROOT));
    return ExportBundle.zip(manifest, files);
  }

  /** What a join or booking agreed to: its consent record, or (made before records existed) what its flag says. */
  private static Map<String, Object> consent(Map<String, Consents.Consent> recorded, String subjectId, String source,
      String id, java.time.Instant at, String flagged) {
    Consents.Consent consent = recorded.get(subjectId);
    if (consent == null) return row("source", source, "id", id, "at", at, "policyVersion", null, "purposes", flagged,
        "withdrawn", "");
    return row("source", source, "id", id, "at", consent.givenAt(), "policyVersion", consent.policyVersion(),
        "purposes", String.join(", ", consent.purposes()), "withdrawn", String.join(", ", consent.withdrawn().entrySet()
            .stream().map(w -> w.getKey() + " at " + w.getValue()).toList()));
  }

  private String text(EncryptedPersonalData value) {
    DecryptedPersonalData plain = vault.decrypt(value);
    return plain == null ? null : plain.value();
  }

  private static Map<String, Object> row(Object... pairs) {
    return ExportBundle.row(pairs);
  }

  private static List<String> nonEmpty(java.util.Set<String> ids) {
    return ids.isEmpty() ? List.of("(none)") : List.copyOf(ids);
  }
}
