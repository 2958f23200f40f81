-- Web push to agents' browsers (io.videoshop.push, docs/notifications.md "Web push").

-- The platform's VAPID key pair (RFC 8292), the same on every node. The first node to start
-- inserts row 1; a second node racing it fails on the primary key and reads the winner's row.
CREATE TABLE push_vapid_keys (
  id INTEGER PRIMARY KEY,
  public_key VARCHAR(128) NOT NULL,
  private_key VARCHAR(128) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT push_vapid_keys_one_row CHECK (id = 1)
);

-- One row per browser a user subscribed. The endpoint and the keys identify a person's browser:
-- they are kept encrypted under the user's personal-data key (subject "user-<id>"); the hash of
-- the endpoint makes a browser subscribing twice the same row.
CREATE TABLE push_subscriptions (
  id VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(64) NOT NULL,
  user_id VARCHAR(64) NOT NULL,
  endpoint_hash VARCHAR(64) NOT NULL,
  push_service VARCHAR(255) NOT NULL,
  endpoint_sealed VARCHAR(4096) NOT NULL,
  p256dh_sealed VARCHAR(512) NOT NULL,
  auth_sealed VARCHAR(256) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  last_delivered_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT push_subscriptions_endpoint_unique UNIQUE (endpoint_hash)
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

-- Users who turned push off: no push is queued for them while a row is here.
CREATE TABLE push_opt_outs (
  user_id VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(64) NOT NULL,
  opted_out_at TIMESTAMP WITH TIME ZONE NOT NULL
);
