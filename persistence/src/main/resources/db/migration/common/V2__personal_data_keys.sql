-- One AES-256 key per data subject (a shopper, a user). Personal fields in events are encrypted
-- under it; erasing the subject deletes the key (crypto-shredding) and keeps when it happened.
CREATE TABLE personal_data_keys (
  subject_id VARCHAR(128) PRIMARY KEY,
  key_bytes BYTEA,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  erased_at TIMESTAMP WITH TIME ZONE
);
