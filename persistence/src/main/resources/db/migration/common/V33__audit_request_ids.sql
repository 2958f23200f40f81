-- The id of the HTTP request (or socket upgrade) that caused an entry (io.videoshop.http.RequestIds):
-- the same id is in the response's X-Request-Id and in every log line of that request.
ALTER TABLE audit_log ADD COLUMN request_id VARCHAR(64);
CREATE INDEX audit_log_request_idx ON audit_log (request_id);
