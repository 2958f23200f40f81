package io.videoshop.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BookingInvitationTest {
  private static final BookingInvitation MADE = new BookingInvitation(BookingInvitation.uidFor("b-123"), 0,
      Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-03-29T01:30:00Z"), Instant.parse("2026-03-01T12:00:00Z"),
      "Video call with Shop Müller; about shoes, boots", "Reschedule: https://shop.example/book#r=abc\nCancel: https://x",
      "Shop Müller", "bookings@shop.example", "Zoë \"Z\" Ünal", "zoe@example.com");

  /** Content lines after unfolding (RFC 5545 3.1). */
  private static List<String> unfolded(String ics) {
    return Arrays.asList(ics.replace("\r\n ", "").split("\r\n"));
  }

  @Test
  void aRequestHasTheMethodUidSequenceAndUtcTimes() {
    List<String> lines = unfolded(MADE.request());
    assertThat(lines).startsWith("BEGIN:VCALENDAR", "VERSION:2.0").endsWith("END:VCALENDAR")
        .contains("METHOD:REQUEST", "UID:b-123@videoshop", "SEQUENCE:0", "DTSTART:20260329T010000Z",
            "DTEND:20260329T013000Z", "DTSTAMP:20260301T120000Z", "STATUS:CONFIRMED",
            "SUMMARY:Video call with Shop Müller\\; about shoes\\, boots",
            "DESCRIPTION:Reschedule: https://shop.example/book#r=abc\\nCancel: https://x",
            "ATTENDEE;CN=\"Zoë Z Ünal\";ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:zoe@example.com");
  }

  @Test
  void aChangeRaisesTheSequenceAndACancelKeepsTheUid() {
    BookingInvitation moved = new BookingInvitation(MADE.uid(), 2, MADE.start().plusSeconds(86_400),
        MADE.end().plusSeconds(86_400), MADE.stamp(), MADE.summary(), null, MADE.organizerName(), MADE.organizerEmail(),
        MADE.attendeeName(), MADE.attendeeEmail());
    assertThat(unfolded(moved.request())).contains("SEQUENCE:2", "DTSTART:20260330T010000Z", "UID:b-123@videoshop");
    assertThat(unfolded(moved.cancel())).contains("METHOD:CANCEL", "STATUS:CANCELLED", "UID:b-123@videoshop",
        "SEQUENCE:2").doesNotContain("METHOD:REQUEST");
  }

  @Test
  void everyLineEndsInCrlfAndIsAtMost75OctetsNeverSplittingACharacter() {
    String longText = "ü€".repeat(60) + "x";
    String folded = BookingInvitation.fold("SUMMARY:" + longText);
    String ics = MADE.request();
    assertThat(ics).endsWith("\r\n");
    assertThat(ics.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
    for (String physical : (ics + folded).split("\r\n")) {
      assertThat(physical.getBytes(StandardCharsets.UTF_8).length).as(physical).isLessThanOrEqualTo(75);
    }
    assertThat(folded).contains("\r\n ");
    // Unfolding gives the original back: no character was cut in half.
    assertThat(folded.replace("\r\n ", "")).isEqualTo("SUMMARY:" + longText);
    assertThat(BookingInvitation.fold("SHORT:line")).isEqualTo("SHORT:line");
  }
}
