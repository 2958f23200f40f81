-- A booked shopper's ticket in the tenant's queue, from the TenantQueue's TicketJoined events
-- (io.videoshop.scheduling.BookedArrivalsProjection): when the ticket's offer is accepted, the
-- projection finds the booking here and records it attended with the call's room id. No personal
-- data: ids and a time. Rows leave two days after the join.
CREATE TABLE booked_tickets (
  tenant_id VARCHAR(64) NOT NULL,
  ticket_id VARCHAR(64) NOT NULL,
  booking_id VARCHAR(64) NOT NULL,
  joined_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (tenant_id, ticket_id)
);
CREATE INDEX booked_tickets_joined_idx ON booked_tickets (joined_at);

-- The booking policy's no-show time (minutes after the start), projected with the reminder part.
ALTER TABLE booking_reminder_policies ADD COLUMN no_show_after_minutes INTEGER;
