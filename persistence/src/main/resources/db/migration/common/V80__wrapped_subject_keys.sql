-- Subject keys are stored wrapped (AES-GCM) under a key-encryption key from configuration
-- (videoshop.privacy.master-key); kek_id names it. NULL: a key stored before wrapping existed,
-- wrapped by the first node that starts with a master key (background re-wrap).
ALTER TABLE personal_data_keys ADD COLUMN kek_id VARCHAR(32);

-- One row per master key id ever used with this database: a value sealed under that key, so that
-- a node started with a wrong key under a known id refuses to start instead of failing later.
CREATE TABLE master_key_checks (
  kek_id VARCHAR(32) PRIMARY KEY,
  sealed_check BYTEA NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
