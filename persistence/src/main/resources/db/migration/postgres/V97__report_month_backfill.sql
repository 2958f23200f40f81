-- The month roll-ups (V96) filled from the days counted before them, in SQL: a month's sketch is
-- its days' encoded sketches joined by commas, which DurationSketch reads as their merge (the
-- projection's next write to that month stores it merged). Counters sum, maxima are maxima.
-- PostgreSQL: the roll-ups' primary keys carry every column, as the day tables' do (V61).
ALTER TABLE report_queue_months DROP CONSTRAINT report_queue_months_pkey,
  ADD PRIMARY KEY (tenant_id, report_day, agent_id, language) INCLUDE (queued, answered, abandoned_left,
    abandoned_after_expiry, abandoned_max_wait, abandoned_disconnected, answer_wait_ms, longest_wait_ms,
    answer_waits, abandon_waits, offers_made, offers_accepted, offers_rejected, offers_expired, handled,
    handle_ms, available_ms, busy_ms, away_ms, offline_ms);
ALTER TABLE report_call_months DROP CONSTRAINT report_call_months_pkey,
  ADD PRIMARY KEY (tenant_id, report_day, agent_id) INCLUDE (calls, ended, talk_seconds, talk_durations,
    billed_minutes, rated, rating_sum, rated_4_5, products_shown, calls_with_cart);
INSERT INTO report_queue_months (tenant_id, report_day, agent_id, language, queued, answered, abandoned_left, abandoned_after_expiry, abandoned_max_wait, abandoned_disconnected, answer_wait_ms, longest_wait_ms, answer_waits, abandon_waits, offers_made, offers_accepted, offers_rejected, offers_expired, handled, handle_ms, available_ms, busy_ms, away_ms, offline_ms)
  SELECT tenant_id, CAST(date_trunc('month', report_day) AS DATE), agent_id, language, SUM(queued), SUM(answered), SUM(abandoned_left), SUM(abandoned_after_expiry), SUM(abandoned_max_wait), SUM(abandoned_disconnected), SUM(answer_wait_ms),
    MAX(longest_wait_ms), string_agg(answer_waits, ',' ORDER BY report_day), string_agg(abandon_waits, ',' ORDER BY report_day),
    SUM(offers_made), SUM(offers_accepted), SUM(offers_rejected), SUM(offers_expired), SUM(handled), SUM(handle_ms), SUM(available_ms), SUM(busy_ms), SUM(away_ms), SUM(offline_ms)
  FROM report_queue_days GROUP BY tenant_id, CAST(date_trunc('month', report_day) AS DATE), agent_id, language;
INSERT INTO report_call_months (tenant_id, report_day, agent_id, calls, ended, talk_seconds, talk_durations, billed_minutes, rated, rating_sum, rated_4_5, products_shown, calls_with_cart)
  SELECT tenant_id, CAST(date_trunc('month', report_day) AS DATE), agent_id, SUM(calls), SUM(ended), SUM(talk_seconds), string_agg(talk_durations, ',' ORDER BY report_day),
    SUM(billed_minutes), SUM(rated), SUM(rating_sum), SUM(rated_4_5), SUM(products_shown), SUM(calls_with_cart)
  FROM report_call_days GROUP BY tenant_id, CAST(date_trunc('month', report_day) AS DATE), agent_id;
INSERT INTO report_call_outcome_months (tenant_id, report_day, agent_id, dimension, dimension_value, calls)
  SELECT tenant_id, CAST(date_trunc('month', report_day) AS DATE), agent_id, dimension, dimension_value, SUM(calls)
  FROM report_call_outcomes GROUP BY tenant_id, CAST(date_trunc('month', report_day) AS DATE), agent_id, dimension, dimension_value;
