-- How a tenant's mail looks (the name it is sent under, where replies go, its colour).
CREATE TABLE tenant_mail_settings (
  tenant_id VARCHAR(36) PRIMARY KEY REFERENCES tenants(id),
  sender_name VARCHAR(200),
  reply_to VARCHAR(320),
  colour VARCHAR(7),
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A user's notification choices: language, and opt-outs of non-essential mail and push.
CREATE TABLE user_notification_preferences (
  user_id VARCHAR(36) PRIMARY KEY REFERENCES users(id),
  language VARCHAR(8) NOT NULL,
  non_essential_mail BOOLEAN NOT NULL,
  non_essential_push BOOLEAN NOT NULL,
  new_sign_in_mail BOOLEAN NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Addresses (by SHA-256, never in clear) that unsubscribed from a tenant's non-essential mail,
-- with or without an account.
CREATE TABLE mail_opt_outs (
  tenant_id VARCHAR(36) NOT NULL,
  address_hash VARCHAR(64) NOT NULL,
  opted_out_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (tenant_id, address_hash)
);

-- The token of each non-essential mail's unsubscribe link (by hash; the token itself is only in
-- the mail and, encrypted, in its outbox row until delivery).
CREATE TABLE mail_unsubscribe_tokens (
  token_hash VARCHAR(64) PRIMARY KEY,
  tenant_id VARCHAR(36) NOT NULL,
  address_hash VARCHAR(64) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
