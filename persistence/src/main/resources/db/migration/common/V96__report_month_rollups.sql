-- Monthly roll-ups of the reporting tables (docs/reporting.md, "Roll-ups"): the same columns and
-- key as the day tables, report_day holding the first day of the month (in the tenant's zone).
-- Written by the same projections in the same transaction as the day rows (ReportRow.rollUp),
-- so a month row is always the exact sum of its days; a long range reads whole months here and
-- only the days at its edges from the day tables. Filled from the existing days by V97.
CREATE TABLE report_queue_months (
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

CREATE TABLE report_call_months (
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

CREATE TABLE report_call_outcome_months (
  tenant_id VARCHAR(64) NOT NULL,
  report_day DATE NOT NULL,
  agent_id VARCHAR(64) NOT NULL,
  dimension VARCHAR(16) NOT NULL,
  dimension_value VARCHAR(64) NOT NULL,
  calls BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, report_day, agent_id, dimension, dimension_value)
);
