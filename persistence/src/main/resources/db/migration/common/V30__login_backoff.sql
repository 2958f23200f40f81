-- How many times in a row an account has been locked: each lock lasts twice as long as the one
-- before (up to a ceiling), and the count starts again once a success or a quiet window passes.
ALTER TABLE login_failures ADD COLUMN lockouts INTEGER DEFAULT 0 NOT NULL;
