package io.videoshop.notification;

import static org.assertj.core.api.Assertions.assertThat;

import io.videoshop.http.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.simplejavamail.converter.EmailConverter;
import org.simplejavamail.email.EmailBuilder;

/** A mail's attachments survive the outbox's JSON; mail queued before attachments existed still reads. */
class MailAttachmentTest {
  @Test
  void attachmentsRoundTripAndOldPayloadsReadWithNone() throws Exception {
    MailMessage.Attachment ics = MailMessage.Attachment.text("invite.ics", "text/calendar; charset=UTF-8; method=REQUEST",
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    String json = Json.write(new MailMessage("x@y.test", "en", "booking_confirmation", Map.of("name", "n"), null,
        List.of(ics)));
    MailMessage read = Json.MAPPER.readValue(json, MailMessage.class);
    assertThat(read.attachments()).containsExactly(ics);
    assertThat(new String(read.attachments().get(0).bytes(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    MailMessage old = Json.MAPPER.readValue(
        "{\"to\":\"a@b.test\",\"language\":\"en\",\"template\":\"invitation\",\"values\":{},\"unsubscribeToken\":null}",
        MailMessage.class);
    assertThat(old.attachments()).isEmpty();
    assertThat(read.toString()).doesNotContain("x@y.test").doesNotContain("VCALENDAR");
  }

  @Test
  void aCalendarAttachmentKeepsItsMethodAndCrlf() {
    var email = EmailBuilder.startingBlank().from("a@b.test").to("x@y.test").withSubject("s").withPlainText("t")
        .withAttachment("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "text/calendar; charset=UTF-8; method=REQUEST")
        .buildEmail();
    assertThat(EmailConverter.emailToEML(email)).contains("text/calendar").contains("method=REQUEST");
  }
}
