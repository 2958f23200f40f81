-- The call summary mail to a consenting shopper, put together from two projections: the queue's
-- (who may be mailed: the shopper's email as the vault's ciphertext, never in plain text) and the
-- room's (which room served the ticket, whether the call really started, when it ended). Whichever
-- side completes the row queues the mail (dedup key call-summary:<roomId>).
CREATE TABLE call_summaries (
  ticket_id VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(64),
  subject_id VARCHAR(64),
  email_ciphertext VARCHAR(8192),
  language VARCHAR(64),
  room_id VARCHAR(64),
  agent_id VARCHAR(64),
  started BOOLEAN NOT NULL DEFAULT FALSE,
  ended_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX call_summaries_room_idx ON call_summaries (room_id);

-- The products the agent showed, as shared (one row per ProductShown event, by its sequence number).
CREATE TABLE call_summary_products (
  room_id VARCHAR(64) NOT NULL,
  seq_nr BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  url VARCHAR(2048),
  PRIMARY KEY (room_id, seq_nr)
);
