package io.videoshop.scheduling;

import io.videoshop.http.FieldError;
import io.videoshop.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A tenant's rules for bookings. Buffers count as busy: a booking occupies its agent from
 * {@code bufferBeforeMinutes} before its start to {@code bufferAfterMinutes} after its end, and two
 * bookings of one agent never occupy the same minute.
 *
 * @param slotMinutes how long a booked call is
 * @param intervalMinutes the step between offered start times, from each opening's start
 * @param minNoticeMinutes how soon a slot may start after the booking is made (default 2 h)
 * @param horizonDays how far ahead a slot may start (default 30 days)
 * @param maxPerAgentPerDay bookings one agent takes at most on one of the tenant's days
 * @param changeNoticeMinutes how long before its start a shopper may still reschedule or cancel
 */
public record BookingPolicy(
    int slotMinutes, int intervalMinutes, int bufferBeforeMinutes, int bufferAfterMinutes, int minNoticeMinutes,
    int horizonDays, int maxPerAgentPerDay, int changeNoticeMinutes) implements CborSerializable {

  public static BookingPolicy defaults() {
    return new BookingPolicy(30, 30, 0, 0, 120, 30, 16, 120);
  }

  public Duration slotLength() {
    return Duration.ofMinutes(slotMinutes);
  }

  public Duration interval() {
    return Duration.ofMinutes(intervalMinutes);
  }

  public Duration bufferBefore() {
    return Duration.ofMinutes(bufferBeforeMinutes);
  }

  public Duration bufferAfter() {
    return Duration.ofMinutes(bufferAfterMinutes);
  }

  public Duration minNotice() {
    return Duration.ofMinutes(minNoticeMinutes);
  }

  public Duration horizon() {
    return Duration.ofDays(horizonDays);
  }

  public Duration changeNotice() {
    return Duration.ofMinutes(changeNoticeMinutes);
  }

  /** Every field out of its range, named; empty when the policy is acceptable. */
  public List<FieldError> problems() {
    List<FieldError> errors = new ArrayList<>();
    range(errors, "slotMinutes", slotMinutes, 5, 480);
    range(errors, "intervalMinutes", intervalMinutes, 5, 480);
    range(errors, "bufferBeforeMinutes", bufferBeforeMinutes, 0, 240);
    range(errors, "bufferAfterMinutes", bufferAfterMinutes, 0, 240);
    range(errors, "minNoticeMinutes", minNoticeMinutes, 0, 43_200);
    range(errors, "horizonDays", horizonDays, 1, 365);
    range(errors, "maxPerAgentPerDay", maxPerAgentPerDay, 1, 200);
    range(errors, "changeNoticeMinutes", changeNoticeMinutes, 0, 43_200);
    return errors;
  }

  private static void range(List<FieldError> errors, String field, int value, int min, int max) {
    if (value < min || value > max) {
      errors.add(new FieldError(field, "out_of_range", "must be between " + min + " and " + max));
    }
  }
}
