-- Reporting read models (io.videoshop.reporting), pre-aggregated per tenant, per day in the
-- tenant's time zone and per agent, written exactly once by the projections that read the queue
-- and the room events (docs/reporting.md). Counts and durations only: no personal data.
-- Sketches are DurationSketch values (mergeable histograms of whole seconds), base64 text.

-- Queue figures by the day the shopper joined (agent_id '' for tickets no agent took,
-- language '' for tickets without one). Presence time by the day it was spent.
CREATE TABLE report_queue_days (
  tenant_id VARCHAR(64) NOT NULL,
  report_day DATE NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  language VARCHAR(64) NOT NULL,
  queued BIGINT NOT NULL DEFAULT 0,
  answered BIGINT NOT NULL DEFAULT 0,
  abandoned_left BIGINT NOT NULL DEFAULT 0,
  abandoned_after_expiry BIGINT NOT NULL DEFAULT 0,
  abandoned_max_wait BIGINT NOT NULL DEFAULT 0,
  abandoned_disconnected BIGINT NOT NULL DEFAULT 0,
  answer_wait_ms BIGINT NOT NULL DEFAULT 0,
  longest_wait_ms BIGINT NOT NULL DEFAULT 0,
  answer_waits VARCHAR,
  abandon_waits VARCHAR,
  offers_made BIGINT NOT NULL DEFAULT 0,
  offers_accepted BIGINT NOT NULL DEFAULT 0,
  offers_rejected BIGINT NOT NULL DEFAULT 0,
  offers_expired BIGINT NOT NULL DEFAULT 0,
  handled BIGINT NOT NULL DEFAULT 0,
  handle_ms BIGINT NOT NULL DEFAULT 0,
  available_ms BIGINT NOT NULL DEFAULT 0,
  busy_ms BIGINT NOT NULL DEFAULT 0,
  away_ms BIGINT NOT NULL DEFAULT 0,
  offline_ms BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, report_day, agent_id, language)
);

-- Waits by local hour of the day the shopper joined: the heat map (hour of week x waits).
CREATE TABLE report_queue_hours (
  tenant_id VARCHAR(64) NOT NULL,
  report_day DATE NOT NULL,
  local_hour INTEGER NOT NULL,
  queued BIGINT NOT NULL DEFAULT 0,
  answered BIGINT NOT NULL DEFAULT 0,
  abandoned BIGINT NOT NULL DEFAULT 0,
  answer_wait_ms BIGINT NOT NULL DEFAULT 0,
  longest_wait_ms BIGINT NOT NULL DEFAULT 0,
  answer_waits VARCHAR,
  PRIMARY KEY (tenant_id, report_day, local_hour)
);

-- Call figures by the day the room opened, per agent.
CREATE TABLE report_call_days (
  tenant_id VARCHAR(64) NOT NULL,
  report_day DATE NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  calls BIGINT NOT NULL DEFAULT 0,
  ended BIGINT NOT NULL DEFAULT 0,
  talk_seconds BIGINT NOT NULL DEFAULT 0,
  talk_durations VARCHAR,
  billed_minutes BIGINT NOT NULL DEFAULT 0,
  rated BIGINT NOT NULL DEFAULT 0,
  rating_sum BIGINT NOT NULL DEFAULT 0,
  rated_4_5 BIGINT NOT NULL DEFAULT 0,
  products_shown BIGINT NOT NULL DEFAULT 0,
  calls_with_cart BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, report_day, agent_id)
);

-- Calls by wrap-up outcome and by end reason, per day the room opened and agent.
CREATE TABLE report_call_outcomes (
  tenant_id VARCHAR(64) NOT NULL,
  report_day DATE NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  dimension VARCHAR(16) NOT NULL,
  dimension_value VARCHAR(64) NOT NULL,
  calls BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, report_day, agent_id, dimension, dimension_value)
);

-- The queue projection's working memory: tickets still waiting, agents' current presence.
CREATE TABLE report_waiting_tickets (
  tenant_id VARCHAR(64) NOT NULL,
  ticket_id VARCHAR(64) NOT NULL,
  joined_at TIMESTAMP WITH TIME ZONE NOT NULL,
  language VARCHAR(64) NOT NULL,
  offer_expired BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (tenant_id, ticket_id)
);

CREATE TABLE report_agent_presence (
  tenant_id VARCHAR(64) NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  presence VARCHAR(16) NOT NULL,
  since TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (tenant_id, agent_id)
);

-- Each tenant's service-level threshold T, when it differs from videoshop.reporting.service-level.
CREATE TABLE report_settings (
  tenant_id VARCHAR(64) PRIMARY KEY,
  service_level_seconds INTEGER NOT NULL
);

-- Call minutes debited from the tenant's wallet and their cost (minor units of the wallet's
-- currency), by the local day of the debit; written in the ledger projection's transaction.
CREATE TABLE report_cost_days (
  tenant_id VARCHAR(64) NOT NULL,
  report_day DATE NOT NULL,
  debited_minutes BIGINT NOT NULL DEFAULT 0,
  included_minutes BIGINT NOT NULL DEFAULT 0,
  cost BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, report_day)
);
