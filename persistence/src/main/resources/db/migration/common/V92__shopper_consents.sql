-- What a shopper agreed to at a join or a booking (docs/privacy.md, "Consent"): one row per data
-- subject. The record (policy version, purposes, when given, which were withdrawn and when) is
-- encrypted under the subject's key, so it is shredded with the rest of the shopper's data.
CREATE TABLE shopper_consents (
  subject_id VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(36) NOT NULL,
  source VARCHAR(16) NOT NULL,
  record VARCHAR(4000) NOT NULL,
  given_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX shopper_consents_tenant_idx ON shopper_consents (tenant_id);
