-- PostgreSQL only: the reporting tables' primary keys carry every column (INCLUDE), so a report
-- over a range reads one contiguous run of index pages (an index-only scan once autovacuum has
-- marked the pages all-visible, as it does for closed days) instead of one heap page per row: the
-- projections write a tenant's rows a day at a time, interleaved with every other tenant's.
-- The price: a counter update is no longer a HOT update (docs/reporting.md, "What it costs").
ALTER TABLE report_queue_days DROP CONSTRAINT report_queue_days_pkey,
  ADD PRIMARY KEY (tenant_id, report_day, agent_id, language) INCLUDE (queued, answered, abandoned_left,
    abandoned_after_expiry, abandoned_max_wait, abandoned_disconnected, answer_wait_ms, longest_wait_ms,
    answer_waits, abandon_waits, offers_made, offers_accepted, offers_rejected, offers_expired, handled,
    handle_ms, available_ms, busy_ms, away_ms, offline_ms);
ALTER TABLE report_call_days DROP CONSTRAINT report_call_days_pkey,
  ADD PRIMARY KEY (tenant_id, report_day, agent_id) INCLUDE (calls, ended, talk_seconds, talk_durations,
    billed_minutes, rated, rating_sum, rated_4_5, products_shown, calls_with_cart);
ALTER TABLE report_queue_hours DROP CONSTRAINT report_queue_hours_pkey,
  ADD PRIMARY KEY (tenant_id, report_day, local_hour) INCLUDE (queued, answered, abandoned, answer_wait_ms,
    longest_wait_ms, answer_waits);
