-- Webhook events from the entities' journals (io.videoshop.webhook.WebhookEventProjection).

-- The shopper subject whose name, email or phone a message's body carries (only for endpoints with
-- include_personal_data), so erasing the shopper finds and anonymises those bodies.
ALTER TABLE webhook_messages ADD COLUMN personal_subject VARCHAR(64);
CREATE INDEX webhook_messages_personal_subject_idx ON webhook_messages (personal_subject);

-- Since when the endpoint's attempts fail without a success between; five days of it disable it.
ALTER TABLE webhook_endpoints ADD COLUMN failing_since TIMESTAMP WITH TIME ZONE;

-- What a later event of an entity needs from its earlier ones (a call's agent, products and cart; a
-- ticket's join time), kept by the projection in the transaction of its offset. No personal data.
CREATE TABLE webhook_event_context (
  context_key VARCHAR(256) PRIMARY KEY,
  facts VARCHAR(8192) NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX webhook_event_context_updated_idx ON webhook_event_context (updated_at);
