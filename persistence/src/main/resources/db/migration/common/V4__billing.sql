-- Billing's read side and its idempotency records (docs/billing.md). The wallets themselves are
-- event-sourced entities in the journal; these tables are derived from their events or guard
-- the routes that credit them.

-- Every credit and debit of every wallet, written by the ledger projection exactly once (in the
-- same transaction as the projection's offset). Statements and the paged ledger read it.
CREATE TABLE ledger_entries (
  tenant_id VARCHAR(64) NOT NULL,
  -- The event's sequence number in its wallet's journal: the ledger's order.
  seq_nr BIGINT NOT NULL,
  reference VARCHAR(200) NOT NULL,
  entry_type VARCHAR(8) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  amount BIGINT NOT NULL,
  balance_after BIGINT NOT NULL,
  room_id VARCHAR(64),
  minute_index INTEGER,
  included BOOLEAN NOT NULL,
  note VARCHAR(500),
  at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (tenant_id, seq_nr)
);
CREATE UNIQUE INDEX ledger_entries_reference_idx ON ledger_entries (tenant_id, reference);
CREATE INDEX ledger_entries_at_idx ON ledger_entries (tenant_id, at);

-- pekko-projection-jdbc's offsets (its own DDL, lower-case names: use-lowercase-schema = true).
CREATE TABLE pekko_projection_offset_store (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  current_offset VARCHAR(255) NOT NULL,
  manifest VARCHAR(4) NOT NULL,
  mergeable BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY (projection_name, projection_key)
);
CREATE INDEX projection_name_index ON pekko_projection_offset_store (projection_name);

CREATE TABLE pekko_projection_management (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  paused BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY (projection_name, projection_key)
);

-- The first answer to a request with an Idempotency-Key, given again to a retry with the same
-- key and body. scope: what the key is for and whose it is, e.g. top-up:<tenant id>.
CREATE TABLE idempotency_records (
  scope VARCHAR(100) NOT NULL,
  idempotency_key VARCHAR(255) NOT NULL,
  request_hash VARCHAR(64) NOT NULL,
  status INTEGER NOT NULL,
  response_body VARCHAR NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (scope, idempotency_key)
);

-- Payment provider events already handled (Stripe retries a delivery until it gets a 2xx).
CREATE TABLE payment_events (
  provider VARCHAR(16) NOT NULL,
  event_id VARCHAR(255) NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  tenant_id VARCHAR(36),
  amount BIGINT,
  outcome VARCHAR(32) NOT NULL,
  received_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (provider, event_id)
);
