package io.videoshop.scheduling;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The calendar invitation (RFC 5545 iCalendar, iTIP RFC 5546) a booking's mails carry: METHOD
 * REQUEST when made or changed, METHOD CANCEL when cancelled, always with the booking's stable
 * UID and its SEQUENCE (raised by each change), so calendars update the one event they have.
 * Times are UTC ("Z"), which every client shows in its own zone. Lines end in CRLF and are folded
 * at 75 octets without splitting a UTF-8 character; text values are escaped.
 *
 * @param uid stable for the booking's life, e.g. {@code <bookingId>@videoshop}
 * @param sequence the booking's sequence
 * @param stamp when this invitation was made (DTSTAMP)
 * @param organizerEmail the shop's sender address
 * @param attendeeEmail the shopper's address (the mail body is never logged)
 */
public record BookingInvitation(String uid, int sequence, Instant start, Instant end, Instant stamp, String summary,
    String description, String organizerName, String organizerEmail, String attendeeName, String attendeeEmail) {

  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  static final String CRLF = "\r\n";

  public static String uidFor(String bookingId) {
    return bookingId + "@videoshop";
  }

  /** METHOD:REQUEST: a new booking, or a change to it (a higher SEQUENCE). */
  public String request() {
    return calendar("REQUEST", "CONFIRMED");
  }

  /** METHOD:CANCEL with the same UID: calendars remove the event. */
  public String cancel() {
    return calendar("CANCEL", "CANCELLED");
  }

  private String calendar(String method, String status) {
    List<String> lines = new ArrayList<>();
    lines.add("BEGIN:VCALENDAR");
    lines.add("VERSION:2.0");
    lines.add("PRODID:-//VideoShop//Scheduling//EN");
    lines.add("CALSCALE:GREGORIAN");
    lines.add("METHOD:" + method);
    lines.add("BEGIN:VEVENT");
    lines.add("UID:" + text(uid));
    lines.add("SEQUENCE:" + sequence);
    lines.add("DTSTAMP:" + UTC.format(stamp));
    lines.add("DTSTART:" + UTC.format(start));
    lines.add("DTEND:" + UTC.format(end));
    lines.add("SUMMARY:" + text(summary));
    if (description != null) lines.add("DESCRIPTION:" + text(description));
    lines.add("STATUS:" + status);
    lines.add("ORGANIZER;CN=" + param(organizerName) + ":mailto:" + organizerEmail);
    lines.add("ATTENDEE;CN=" + param(attendeeName) + ";ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:" + attendeeEmail);
    lines.add("END:VEVENT");
    lines.add("END:VCALENDAR");
    StringBuilder out = new StringBuilder();
    for (String line : lines) out.append(fold(line)).append(CRLF);
    return out.toString();
  }

  /** TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline. */
  static String text(String value) {
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n");
  }

  /** A parameter value: quoted, with no quotes or control characters inside. */
  static String param(String value) {
    return "\"" + value.replaceAll("[\"\\p{Cntrl}]", "") + "\"";
  }

  /** Folds a content line at 75 octets (continuations start with a space), never inside a UTF-8 sequence. */
  static String fold(String line) {
    StringBuilder out = new StringBuilder();
    int octets = 0;
    int limit = 75;
    for (int i = 0; i < line.length(); ) {
      int codePoint = line.codePointAt(i);
      String character = new String(Character.toChars(codePoint));
      int size = character.getBytes(StandardCharsets.UTF_8).length;
      if (octets + size > limit) {
        out.append(CRLF).append(' ');
        octets = 1; // the leading space counts
      }
      out.append(character);
      octets += size;
      i += Character.charCount(codePoint);
    }
    return out.toString();
  }
}
