-- Bookings whose shopper came (joined the queue as the booking) but got no call by its end: the
-- calendar's outcome MISSED (docs/scheduling.md, "Missed"); the read model's status 'missed'
-- needs no change. The reports count them beside attended and no-show (docs/reporting.md).
ALTER TABLE report_booking_days ADD COLUMN bookings_missed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_booking_months ADD COLUMN bookings_missed BIGINT NOT NULL DEFAULT 0;
