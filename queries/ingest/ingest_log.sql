-- name: ingest_log
-- purpose: Record one accepted file in the load log (from the registered frame load_row).
-- grain: one row per accepted file
-- params: none
insert into ingest.loads by name select * from load_row
