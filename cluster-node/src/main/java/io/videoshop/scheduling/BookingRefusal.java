package io.videoshop.scheduling;

import java.util.Locale;

/**
 * Why the calendar refused a command: the domain's errors. The HTTP edge maps each to a status
 * and a stable code ({@link BookingCalendars#problemFor}).
 */
public enum BookingRefusal {
  /** The slot starts before now. */
  SLOT_IN_PAST,
  /** The slot starts sooner than the policy's minimum notice. */
  SLOT_TOO_SOON,
  /** The slot starts beyond the policy's horizon. */
  SLOT_TOO_FAR,
  /** No slot starts then: outside the hours, or off the interval's grid. */
  SLOT_NOT_OFFERED,
  /** Every agent who could take it is busy (or at the day's limit), or the one asked for is. */
  SLOT_TAKEN,
  /** The agent asked for does not take bookings. */
  AGENT_NOT_BOOKABLE,
  BOOKING_NOT_FOUND,
  /** The booking was cancelled: nothing more can change it. */
  BOOKING_CANCELLED,
  /** Within the policy's change notice before the start (or after it): a shopper may no longer change it. */
  CHANGE_TOO_LATE,
  /** A booking with this id exists already. */
  BOOKING_EXISTS,
  /** The details are missing a required field, or are out of bounds. */
  INVALID_DETAILS,
  INVALID_POLICY,
  INVALID_WORKING_HOURS,
  /** The booking's time has not come: no outcome yet. */
  OUTCOME_TOO_EARLY,
  /** The outcome was recorded already. */
  OUTCOME_RECORDED,
  /** An outcome without a known kind, or attended without the call's room id. */
  INVALID_OUTCOME,
  /** An agent recording another agent's booking. */
  NOT_YOUR_BOOKING,
  /** A booked shopper arriving earlier than the policy's early arrival before the start. */
  ARRIVAL_TOO_EARLY,
  /** A booked shopper arriving after the booking's end, or after its outcome was recorded. */
  BOOKING_OVER;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
