-- The devices (by SHA-256 of the browser's user agent) each user has signed in from: a sign-in
-- from one not seen before mails the user when they asked for it (new_sign_in_mail).
CREATE TABLE known_devices (
  user_id VARCHAR(36) NOT NULL REFERENCES users(id),
  device_hash VARCHAR(64) NOT NULL,
  first_seen_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (user_id, device_hash)
);
