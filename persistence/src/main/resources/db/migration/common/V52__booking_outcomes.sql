-- A booking's outcome (status 'attended' or 'no_show', from the calendar's BookingOutcomeRecorded events)
-- and, when attended, the call's room id.
ALTER TABLE bookings ADD COLUMN room_id VARCHAR(64);
