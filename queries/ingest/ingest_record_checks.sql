-- name: ingest_record_checks
-- purpose: Record one run of every contract check (from the registered frame check_run), so the Data page can show the results without scanning every raw table again.
-- grain: one row per check per build or load
-- params: none
insert into ingest.check_runs by name select * from check_run
