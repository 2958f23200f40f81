package io.videoshop.scheduling;

import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import io.videoshop.persistence.CborSerializable;
import io.videoshop.tenant.BusinessHours;
import io.videoshop.tenant.TenantSettings;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One agent's availability for bookings, set by the agent or an admin. Uses the tenant's
 * {@link BusinessHours} model: weekly windows, dated exceptions, windows past midnight. A slot is
 * bookable with the agent only inside both the tenant's hours and the agent's.
 *
 * @param takesBookings false: the agent is never offered for a booking
 * @param hours the agent's own hours; null: the same as the tenant's business hours
 * @param timeZone the zone the agent's hours are in; null: the tenant's
 * @param daysOff dates (in the agent's zone) the agent does not work, e.g. 2026-12-24: like a
 *     holiday, a day off removes the windows that start on it
 */
public record WorkingHours(boolean takesBookings, BusinessHours hours, String timeZone, List<String> daysOff)
    implements CborSerializable {

  public static final int MAX_DAYS_OFF = 400;

  public WorkingHours {
    daysOff = daysOff == null ? List.of() : List.copyOf(daysOff);
  }

  /** An agent nobody has set hours for: not bookable. */
  public static WorkingHours notBookable() {
    return new WorkingHours(false, null, null, List.of());
  }

  ZoneId zoneOr(ZoneId tenantZone) {
    return timeZone == null ? tenantZone : ZoneId.of(timeZone);
  }

  /** Every bad field, named; empty when acceptable. */
  public List<FieldError> problems() {
    List<FieldError> errors = new ArrayList<>();
    if (timeZone != null) {
      try {
        ZoneId.of(timeZone);
      } catch (DateTimeException e) {
        errors.add(new FieldError("timeZone", "invalid_time_zone", "must be an IANA time zone such as Europe/Berlin"));
      }
    }
    if (daysOff.size() > MAX_DAYS_OFF) errors.add(new FieldError("daysOff", "too_many", "at most " + MAX_DAYS_OFF));
    for (int i = 0; i < daysOff.size() && i < MAX_DAYS_OFF; i++) {
      try {
        LocalDate.parse(String.valueOf(daysOff.get(i)));
      } catch (DateTimeParseException e) {
        errors.add(new FieldError("daysOff[" + i + "]", "invalid_date", "must be a date such as 2026-12-24"));
      }
    }
    if (hours != null) {
      // The tenant's own checks, reported under this record's field name.
      try {
        new TenantSettings("UTC", "EUR", hours, TenantSettings.QueuePolicy.defaults(), List.of(), null, null).validated();
      } catch (DomainError e) {
        for (FieldError error : e.errors()) {
          errors.add(new FieldError(error.field().replaceFirst("^businessHours", "hours"), error.code(), error.message()));
        }
      }
    }
    return errors;
  }
}
