-- One-time tickets that open a WebSocket, so that no access or room token travels in a socket's
-- URL (and in a proxy's access log). A ticket is stored as a digest, lives seconds, and is
-- deleted when used.
CREATE TABLE socket_tickets (
  ticket_hash VARCHAR(64) PRIMARY KEY,
  kind VARCHAR(16) NOT NULL,
  admits VARCHAR(4000) NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX socket_tickets_expiry ON socket_tickets (expires_at);
