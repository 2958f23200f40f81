-- The reminder part of each tenant's booking policy, projected from the BookingCalendar's PolicySet
-- events (io.videoshop.scheduling.BookingsProjection) in the same transaction as the bookings rows, so
-- the booking mails queued there know when the tenant wants its reminders (and until when a shopper may change). The calendar stays the truth.
CREATE TABLE booking_reminder_policies (
  tenant_id VARCHAR(64) PRIMARY KEY,
  reminder_minutes VARCHAR(100) NOT NULL,
  agent_reminder_minutes INTEGER NOT NULL,
  change_notice_minutes INTEGER NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
