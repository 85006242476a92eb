-- name: ingest_next_load
-- purpose: The next load number.
-- grain: one row
-- params: none
select coalesce(max(load_id), 0) + 1 as load_id from ingest.loads
