-- Data rights requests (erasure, and later export) with their status. No personal data: the
-- reference a request was made by (an email, a phone, a ticket id ...) is kept as a SHA-256 hash,
-- which also makes a repeated request find the first one (idempotency).
CREATE TABLE privacy_requests (
  id VARCHAR(36) PRIMARY KEY,
  tenant_id VARCHAR(36) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  reference_type VARCHAR(16) NOT NULL,
  reference_hash VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  requested_by VARCHAR(64),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  finished_at TIMESTAMP WITH TIME ZONE,
  result VARCHAR,
  CONSTRAINT privacy_requests_once UNIQUE (tenant_id, kind, reference_type, reference_hash)
);
