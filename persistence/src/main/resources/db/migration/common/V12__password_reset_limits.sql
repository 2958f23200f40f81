-- The invitee's language, carried into their notification preferences on acceptance.
ALTER TABLE invitations ADD COLUMN language VARCHAR(8);

-- Password reset requests per window: "account:<sha256 of the address asked for>" and "ip:<address>".
CREATE TABLE password_reset_requests (
  subject VARCHAR(200) PRIMARY KEY,
  requests INTEGER NOT NULL,
  window_started_at TIMESTAMP WITH TIME ZONE NOT NULL
);
