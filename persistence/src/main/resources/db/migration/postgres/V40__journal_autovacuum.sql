-- PostgreSQL only: vacuum the journal and its tag rows after every 10,000 inserts instead of after
-- 20 % of the table (the default insert scale factor), so their pages stay all-visible as they grow.
-- Why: the projections' eventsByTag poll (event_journal joined with event_tag, the ordering range
-- on the journal side only) is cheap only as a nested loop, the journal's ordering range probing
-- event_tag's primary key (index-only): ~2 ms on a journal of 300,000 events. On a table whose
-- pages are not all-visible the planner costs those probes as heap reads and takes a hash join
-- over a sequential scan of every tag row instead: ~56 ms per poll on the same journal, growing
-- with it (docs/benchmarks.md, "The read side"). These settings take effect only where autovacuum
-- runs (the PostgreSQL default; check `SHOW autovacuum`).
ALTER TABLE event_tag SET (autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 10000,
  autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE event_journal SET (autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_analyze_scale_factor = 0.02);
