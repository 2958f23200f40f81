-- One row per booking, projected from the BookingCalendar events (io.videoshop.scheduling.BookingsProjection)
-- exactly once, for the admin API's lists and the agents' upcoming appointments. The calendar entity
-- decides; this table only serves reads. Name and email stay encrypted (PersonalDataVault) as in the journal.
CREATE TABLE bookings (
  booking_id VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(64) NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  agent_chosen BOOLEAN NOT NULL,
  starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
  ends_at TIMESTAMP WITH TIME ZONE NOT NULL,
  status VARCHAR(16) NOT NULL,
  sequence_nr INTEGER NOT NULL,
  subject_id VARCHAR(64) NOT NULL,
  name_ciphertext VARCHAR(8192) NOT NULL,
  email_ciphertext VARCHAR(8192) NOT NULL,
  product_interest VARCHAR(500),
  shopper_time_zone VARCHAR(64),
  cancel_reason VARCHAR(500),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX bookings_tenant_start_idx ON bookings (tenant_id, starts_at);
CREATE INDEX bookings_tenant_agent_start_idx ON bookings (tenant_id, agent_id, starts_at);
