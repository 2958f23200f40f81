-- API usage records (issue #12, point 7): each API key's calls per UTC day and per route class
-- (the scope a route asks of keys, e.g. calls:read; "other" for routes any signed-in caller may
-- use). Days counted before route classes existed keep their totals as "unclassified".
CREATE TABLE api_key_calls (
  key_id VARCHAR(36) NOT NULL REFERENCES api_keys(id),
  usage_day DATE NOT NULL,
  route_class VARCHAR(40) NOT NULL,
  requests BIGINT NOT NULL,
  PRIMARY KEY (key_id, usage_day, route_class)
);
INSERT INTO api_key_calls (key_id, usage_day, route_class, requests)
  SELECT key_id, usage_day, 'unclassified', requests FROM api_key_usage;
DROP TABLE api_key_usage;

-- The last day whose usage is in the audit trail (one api_key.usage_recorded entry per key and day).
ALTER TABLE api_keys ADD COLUMN usage_audited_through DATE;
