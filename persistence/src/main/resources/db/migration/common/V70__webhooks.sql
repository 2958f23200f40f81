-- Webhooks to merchants' systems (io.videoshop.webhook, docs/webhooks.md).

-- One row per receiving URL of a tenant. The signing secret is needed in clear to sign, so it is
-- kept sealed by the personal-data vault under the subject "webhook-endpoint-<id>" (deleting the
-- endpoint erases that subject); during a rotation the previous secret signs too until
-- previous_secret_until. event_types is a space-separated list, or '*' for every type.
CREATE TABLE webhook_endpoints (
  id VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(64) NOT NULL,
  url VARCHAR(2048) NOT NULL,
  description VARCHAR(500) NOT NULL,
  event_types VARCHAR(2000) NOT NULL,
  enabled BOOLEAN NOT NULL,
  include_personal_data BOOLEAN NOT NULL,
  secret_sealed VARCHAR(512) NOT NULL,
  previous_secret_sealed VARCHAR(512),
  previous_secret_until TIMESTAMP WITH TIME ZONE,
  disabled_reason VARCHAR(500),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id);
