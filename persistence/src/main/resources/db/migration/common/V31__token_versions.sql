-- Every access token carries its user's token version; raising it (sign-out everywhere, a role
-- change, deactivation, a password reset) ends every session issued before.
ALTER TABLE users ADD COLUMN token_version INTEGER DEFAULT 0 NOT NULL;
