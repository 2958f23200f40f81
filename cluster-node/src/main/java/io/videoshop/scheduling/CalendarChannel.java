package io.videoshop.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoshop.notification.Channel;
import io.videoshop.notification.Outbox;
import io.videoshop.notification.OutboxMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The booking calendar's deadlines as outbox rows of kind {@value #KIND}: the persistent timers of
 * a booking's no-show check (topic {@value #NO_SHOW_TOPIC}, due at the policy's no-show time
 * after the start) and its missed check (topic {@value #MISSED_TOPIC}, due at its end).
 * {@link BookingMails} queues both per booked booking and sequence in the projection's
 * transaction; a change withdraws them with the booking's reminders and queues new ones. Whichever
 * node's workers claim one when due tell the tenant's calendar {@link BookingCalendar.CheckNoShow}
 * or {@link BookingCalendar.CheckMissed}; the calendar decides from its own state (still booked,
 * still that sequence; never came, or came and left without a call) and records the outcome
 * once. Nothing waits in memory, so a calendar passivated, moved to another node or restarted
 * meanwhile still gets its check; a check that does not get an answer is retried with the
 * outbox's backoff, and a second check of the same booking changes nothing.
 */
public final class CalendarChannel implements Channel {
  public static final String KIND = "calendar";
  static final String NO_SHOW_TOPIC = "booking_no_show_check";
  static final String MISSED_TOPIC = "booking_missed_check";
  private static final Logger log = LoggerFactory.getLogger(CalendarChannel.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BookingCalendars calendars;
  private final Duration askTimeout;

  public CalendarChannel(BookingCalendars calendars, Duration askTimeout) {
    this.calendars = calendars;
    this.askTimeout = askTimeout;
  }

  /** The row's subject: no personal data in it, so not a shopper's (erasing one must not drop the check). */
  static String subjectOf(String tenantId) {
    return "calendar-" + tenantId;
  }

  /**
   * Queues a check ({@link #NO_SHOW_TOPIC} or {@link #MISSED_TOPIC}) of a booking's sequence, due at
   * {@code dueAt}, over a projection's connection.
   */
  static void enqueueCheck(Outbox outbox, Connection connection, String topic, String tenantId, String bookingId,
      int sequence, Instant dueAt, String dedupKey) throws SQLException {
    String payload = JSON.createObjectNode().put("bookingId", bookingId).put("sequence", sequence).toString();
    outbox.enqueue(connection, new Outbox.Draft(KIND, topic, tenantId, subjectOf(tenantId), payload, dedupKey), dueAt);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Delivery deliver(OutboxMessage message) {
    JsonNode check;
    try {
      check = JSON.readTree(message.payload());
    } catch (java.io.IOException e) {
      return new Delivery.PermanentFailure("unreadable check");
    }
    String bookingId = check.path("bookingId").asText();
    int sequence = check.path("sequence").asInt();
    try {
      boolean missed = MISSED_TOPIC.equals(message.topic());
      BookingCalendar.BookingReply reply = calendars.<BookingCalendar.BookingReply>ask(message.tenantId(),
              replyTo -> missed ? new BookingCalendar.CheckMissed(bookingId, sequence, replyTo)
                  : new BookingCalendar.CheckNoShow(bookingId, sequence, replyTo))
          .toCompletableFuture().get(askTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      if (reply instanceof BookingCalendar.NotYet) return new Delivery.RetryLater("not due yet");
      if (reply instanceof BookingCalendar.BookingAccepted accepted
          && accepted.booking().status() != BookingCalendar.Status.BOOKED) {
        log.info("Booking {} of tenant {} is {}", bookingId, message.tenantId(), accepted.booking().status());
      }
      return Delivery.DELIVERED; // decided: an outcome now, or nothing to do (attended, moved, still waiting, gone)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Delivery.RetryLater("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      return new Delivery.RetryLater("calendar_unavailable");
    }
  }
}
