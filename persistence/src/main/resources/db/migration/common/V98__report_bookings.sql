-- Bookings in the reports (docs/reporting.md, "Bookings"), written exactly once by the
-- booking-reports projection from the booking calendars' events: per tenant, local day of the
-- event (made, cancelled, attended or no-show recorded) and agent. Counts only.
CREATE TABLE report_booking_days (
  tenant_id VARCHAR(64) NOT NULL,
  report_day DATE NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  bookings_made BIGINT NOT NULL DEFAULT 0,
  bookings_attended BIGINT NOT NULL DEFAULT 0,
  bookings_no_show BIGINT NOT NULL DEFAULT 0,
  bookings_cancelled BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, report_day, agent_id)
);

-- Their month roll-up (report_day: the first day of the month), as V96's.
CREATE TABLE report_booking_months (
  tenant_id VARCHAR(64) NOT NULL,
  report_day DATE NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  bookings_made BIGINT NOT NULL DEFAULT 0,
  bookings_attended BIGINT NOT NULL DEFAULT 0,
  bookings_no_show BIGINT NOT NULL DEFAULT 0,
  bookings_cancelled BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, report_day, agent_id)
);

-- The projection's working memory: the agent each open booking belongs to now (reassignments
-- and reschedules move it), so its end counts for that agent. Deleted when the booking ends.
CREATE TABLE report_open_bookings (
  tenant_id VARCHAR(64) NOT NULL,
  booking_id VARCHAR(64) NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  PRIMARY KEY (tenant_id, booking_id)
);
