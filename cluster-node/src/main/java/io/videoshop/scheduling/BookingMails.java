package io.videoshop.scheduling;

import io.videoshop.notification.MailMessage;
import io.videoshop.notification.Mails;
import io.videoshop.notification.Outbox;
import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import io.videoshop.push.AgentPushes;
import io.videoshop.push.PushOutbox;
import io.videoshop.tenant.Tenant;
import io.videoshop.tenant.Tenants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a booking's events send, queued in the outbox in the transaction of
 * {@link BookingsProjection} (rows, offset and mail together: exactly once per event):
 *
 * <ul>
 *   <li>made: the confirmation with the calendar invitation ({@code METHOD:REQUEST}, SEQUENCE 0)
 *       and the signed link to reschedule or cancel;
 *   <li>rescheduled or reassigned: the change with the invitation again, SEQUENCE raised;
 *   <li>cancelled: the cancellation with {@code METHOD:CANCEL}, same UID;
 *   <li>for every active booking: the shopper's reminder mails at the tenant's offsets and the
 *       agent's push notice, as outbox rows due at their time (dedup key per booking, sequence and
 *       offset), so each is sent by whichever node claims it when due, also after restarts, and
 *       never from an in-memory timer. A change withdraws the pending reminders of the booking
 *       and queues new ones;
 *   <li>for every booked booking, the same way: the agent's console notice
 *       ({@link AppointmentNotices}) and the calendar's no-show check ({@link CalendarChannel}).
 * </ul>
 *
 * <p>The shopper's name and email are decrypted only here, to address the mail; the outbox keeps
 * the mail, invitation included, encrypted under the booking's data subject, so erasing the
 * subject also drops its unsent mail. Events older than {@link #TOO_OLD} send nothing (a projection
 * replaying an old journal does not mail about the past).
 */
public final class BookingMails {
  static final Duration TOO_OLD = Duration.ofDays(1);
  static final String REMINDER_KEY = "booking-reminder:";
  /** The fragment the widget on the store page reads the signed token from (never sent to a server). */
  public static final String LINK_FRAGMENT = "#videoshop-booking=";

  private final Mails mails;
  private final Outbox outbox;
  private final PersonalDataVault vault;
  private final BookingLinks links;
  private final Tenants tenants;
  private final String organizerEmail;
  private final Clock clock;

  public BookingMails(Mails mails, Outbox outbox, PersonalDataVault vault, BookingLinks links, Tenants tenants,
      String organizerEmail, Clock clock) {
    this.mails = mails;
    this.outbox = outbox;
    this.vault = vault;
    this.links = links;
    this.tenants = tenants;
    this.organizerEmail = organizerEmail;
    this.clock = clock;
  }

  /** After the projection has written the event's rows: queue what it sends, over the same connection. */
  void process(Connection connection, String tenantId, BookingCalendar.Event event) throws SQLException {
    if (event instanceof BookingCalendar.PolicySet set) {
      savePolicy(connection, tenantId, set.policy(), set.at());
      return;
    }
    String bookingId = bookingIdOf(event);
    if (bookingId == null) return;
    Instant now = clock.instant();
    if (event.at().isBefore(now.minus(TOO_OLD))) return;
    Row row = row(connection, tenantId, bookingId);
    if (row == null) return;
    mails.withdraw(connection, REMINDER_KEY + bookingId + ":");
    Reminders reminders = reminders(connection, tenantId);
    if ("booked".equals(row.status)) queueDeadlines(connection, tenantId, bookingId, row, reminders, now);
    Tenant tenant = tenants.find(tenantId).orElse(null);
    if (tenant == null) return;
    DecryptedPersonalData email = vault.decrypt(new EncryptedPersonalData(row.subjectId, row.emailCiphertext));
    DecryptedPersonalData name = vault.decrypt(new EncryptedPersonalData(row.subjectId, row.nameCiphertext));
    if (email.erased() || email.value() == null || email.value().isBlank()) return;
    String shopperName = name.erased() || name.value() == null ? "" : name.value();
    String agentName = agentName(connection, row.agentId);
    ZoneId tenantZone = tenant.settings().zone();
    ZoneId shopperZone = zoneOr(row.shopperTimeZone, tenantZone);
    String language = io.videoshop.notification.MailTemplates.language(row.language == null ? null
        : row.language.toLowerCase(Locale.ROOT).split("-")[0]);
    String storeLink = storePage(connection, tenant) + LINK_FRAGMENT + links.sign(tenantId, bookingId);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("name", shopperName);
    values.put("agentName", agentName);
    values.put("shopperTime", format(row.start, shopperZone, language));
    values.put("shopperZone", shopperZone.getId());
    values.put("tenantTime", format(row.start, tenantZone, language));
    values.put("tenantZone", tenantZone.getId());
    values.put("changeUntil", format(row.start.minus(Duration.ofMinutes(changeNotice(connection, tenantId))),
        shopperZone, language));
    values.put("manageLink", storeLink);
    values.put("joinLink", storeLink);

    BookingInvitation invitation = new BookingInvitation(BookingInvitation.uidFor(bookingId), row.sequence, row.start,
        row.end, event.at(), ("de".equals(language) ? "Videogespräch mit " : "Video call with ") + tenant.name(),
        ("de".equals(language)
            ? "Ihr Videogespräch mit " + agentName + " von " + tenant.name() + ". Verschieben oder absagen: "
            : "Your video call with " + agentName + " of " + tenant.name() + ". Reschedule or cancel: ") + storeLink,
        tenant.name(), organizerEmail, shopperName.isEmpty() ? email.value() : shopperName, email.value());
    String template;
    MailMessage.Attachment ics;
    if (event instanceof BookingCalendar.BookingCancelled) {
      template = "booking_cancelled";
      ics = MailMessage.Attachment.text("cancel.ics", "text/calendar; charset=UTF-8; method=CANCEL", invitation.cancel());
    } else {
      template = event instanceof BookingCalendar.BookingMade ? "booking_confirmation" : "booking_changed";
      ics = MailMessage.Attachment.text("invite.ics", "text/calendar; charset=UTF-8; method=REQUEST", invitation.request());
    }
    mails.send(connection, new Mails.Mail(tenantId, row.subjectId, email.value(), language, template, values),
        "booking-mail:" + bookingId + ":" + row.sequence, List.of(ics), null);
    if (!"booked".equals(row.status)) return;

    for (int minutes : reminders.shopperMinutes()) {
      Instant due = row.start.minus(Duration.ofMinutes(minutes));
      if (!due.isAfter(now)) continue; // booked closer to the start than this reminder: the confirmation says it
      mails.send(connection, new Mails.Mail(tenantId, row.subjectId, email.value(), language, "booking_reminder", values),
          REMINDER_KEY + bookingId + ":" + row.sequence + ":" + minutes, List.of(), due);
    }
    if (reminders.agentMinutes() > 0) {
      Instant due = row.start.minus(Duration.ofMinutes(reminders.agentMinutes()));
      if (due.isAfter(now)) {
        PushOutbox.enqueue(outbox, connection, "reminder", tenantId, row.agentId,
            AgentPushes.appointmentReminder(bookingId, row.start, due), due, row.start,
            REMINDER_KEY + bookingId + ":" + row.sequence + ":agent");
      }
    }
  }

  /**
   * What a booked booking needs at its times whatever its mails: the no-show and missed checks (the
   * calendar's persistent timers, {@link CalendarChannel}) and the agent's console notice
   * ({@link AppointmentNotices}); same dedup prefix as the reminders, so a change withdraws them too.
   */
  private void queueDeadlines(Connection connection, String tenantId, String bookingId, Row row, Reminders reminders,
      Instant now) throws SQLException {
    String key = REMINDER_KEY + bookingId + ":" + row.sequence + ":";
    CalendarChannel.enqueueCheck(outbox, connection, CalendarChannel.NO_SHOW_TOPIC, tenantId, bookingId, row.sequence,
        row.start.plus(Duration.ofMinutes(reminders.noShowAfterMinutes())), key + "no-show");
    CalendarChannel.enqueueCheck(outbox, connection, CalendarChannel.MISSED_TOPIC, tenantId, bookingId, row.sequence,
        row.end, key + "missed");
    if (reminders.agentMinutes() > 0) {
      Instant due = row.start.minus(Duration.ofMinutes(reminders.agentMinutes()));
      if (due.isAfter(now)) {
        AppointmentNotices.enqueue(outbox, connection, tenantId, row.agentId, bookingId, row.start, due,
            key + "agent-console");
      }
    }
  }

  private static String bookingIdOf(BookingCalendar.Event event) {
    if (event instanceof BookingCalendar.BookingMade made) return made.booking().id();
    if (event instanceof BookingCalendar.BookingRescheduled moved) return moved.bookingId();
    if (event instanceof BookingCalendar.BookingReassigned reassigned) return reassigned.bookingId();
    if (event instanceof BookingCalendar.BookingCancelled cancelled) return cancelled.bookingId();
    return null; // an outcome sends nothing
  }

  /**
   * The store page the mail's links open, where the widget reads the token from the fragment: the
   * tenant's first allowed origin, else the first origin of its oldest widget key in use, else the
   * platform's demo page.
   */
  private String storePage(Connection connection, Tenant tenant) throws SQLException {
    List<String> origins = tenant.settings().allowedOrigins();
    if (origins != null && !origins.isEmpty()) return origins.get(0) + "/";
    try (PreparedStatement select = connection.prepareStatement("""
        SELECT allowed_origins FROM widget_keys WHERE tenant_id = ? AND revoked_at IS NULL ORDER BY created_at, id""")) {
      select.setString(1, tenant.id());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          for (String origin : rows.getString(1).split(" ")) {
            if (origin.startsWith("https://") || origin.startsWith("http://")) return origin + "/";
          }
        }
      }
    }
    return mails.link("/demo");
  }

  static String format(Instant instant, ZoneId zone, String language) {
    return DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm", Locale.forLanguageTag(language))
        .format(instant.atZone(zone));
  }

  private static ZoneId zoneOr(String id, ZoneId fallback) {
    if (id == null) return fallback;
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      return fallback;
    }
  }

  private record Row(String agentId, Instant start, Instant end, String status, int sequence, String subjectId,
      String nameCiphertext, String emailCiphertext, String shopperTimeZone, String language) {}

  private static Row row(Connection connection, String tenantId, String bookingId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("""
        SELECT agent_id, starts_at, ends_at, status, sequence_nr, subject_id, name_ciphertext, email_ciphertext,
          shopper_time_zone, language FROM bookings WHERE booking_id = ? AND tenant_id = ?""")) {
      select.setString(1, bookingId);
      select.setString(2, tenantId);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) return null;
        return new Row(rows.getString(1), rows.getTimestamp(2).toInstant(), rows.getTimestamp(3).toInstant(),
            rows.getString(4), rows.getInt(5), rows.getString(6), rows.getString(7), rows.getString(8), rows.getString(9),
            rows.getString(10));
      }
    }
  }

  private static String agentName(Connection connection, String agentId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT display_name FROM users WHERE id = ?")) {
      select.setString(1, agentId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getString(1) : "our team";
      }
    }
  }

  /** The tenant's reminder offsets and no-show time as its calendar's last PolicySet said (the defaults before any). */
  record Reminders(List<Integer> shopperMinutes, int agentMinutes, int noShowAfterMinutes) {}

  static Reminders reminders(Connection connection, String tenantId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT reminder_minutes, agent_reminder_minutes, no_show_after_minutes FROM booking_reminder_policies "
            + "WHERE tenant_id = ?")) {
      select.setString(1, tenantId);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          BookingPolicy defaults = BookingPolicy.defaults();
          return new Reminders(defaults.reminderMinutes(), defaults.agentReminderMinutes(), defaults.noShowAfterMinutes());
        }
        String list = rows.getString(1);
        List<Integer> minutes = list.isBlank() ? List.of()
            : Arrays.stream(list.split(",")).map(String::trim).map(Integer::valueOf).toList();
        int noShowAfter = rows.getInt(3);
        return new Reminders(minutes, rows.getInt(2), rows.wasNull() ? BookingPolicy.DEFAULT_NO_SHOW_AFTER : noShowAfter);
      }
    }
  }

  private static int changeNotice(Connection connection, String tenantId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT change_notice_minutes FROM booking_reminder_policies WHERE tenant_id = ?")) {
      select.setString(1, tenantId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? rows.getInt(1) : BookingPolicy.defaults().changeNoticeMinutes();
      }
    }
  }

  private static void savePolicy(Connection connection, String tenantId, BookingPolicy policy, Instant at)
      throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement(
        "DELETE FROM booking_reminder_policies WHERE tenant_id = ?")) {
      delete.setString(1, tenantId);
      delete.executeUpdate();
    }
    List<String> minutes = new ArrayList<>();
    for (int m : policy.reminderMinutes()) minutes.add(String.valueOf(m));
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO booking_reminder_policies (tenant_id, reminder_minutes, agent_reminder_minutes, change_notice_minutes,
          updated_at, no_show_after_minutes) VALUES (?, ?, ?, ?, ?, ?)""")) {
      insert.setString(1, tenantId);
      insert.setString(2, String.join(",", minutes));
      insert.setInt(3, policy.agentReminderMinutes());
      insert.setInt(4, policy.changeNoticeMinutes());
      insert.setTimestamp(5, Timestamp.from(at));
      insert.setInt(6, policy.noShowAfterMinutes());
      insert.executeUpdate();
    }
  }
}
