-- One row per call room, projected from the CallRoom events (io.videoshop.room.CallsProjection)
-- exactly once, for listing and filtering calls. The room itself holds the full record.
CREATE TABLE calls (
  room_id VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(64) NOT NULL,
  ticket_id VARCHAR(64) NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  started_at TIMESTAMP WITH TIME ZONE,
  ended_at TIMESTAMP WITH TIME ZONE,
  duration_seconds BIGINT,
  end_reason VARCHAR(32),
  minutes BIGINT NOT NULL DEFAULT 0,
  products_shown INTEGER NOT NULL DEFAULT 0,
  added_to_cart INTEGER NOT NULL DEFAULT 0,
  rating INTEGER,
  outcome VARCHAR(16)
);
CREATE INDEX calls_tenant_created_idx ON calls (tenant_id, created_at);
CREATE INDEX calls_tenant_agent_idx ON calls (tenant_id, agent_id);
