-- A booking's outcome (status 'attended' or 'no_show', from the calendar's BookingOutcomeRecorded events)
-- and, when attended, the call's room id; the booking's language.
ALTER TABLE bookings ADD COLUMN room_id VARCHAR(64);
-- The widget's language when booking: the booking's mails are written in it (English when absent).
ALTER TABLE bookings ADD COLUMN language VARCHAR(16);
