-- name: ingest_quarantine
-- purpose: Keep the rows a load refused, with the rule each broke (from the registered frame quarantine_rows).
-- grain: one row per refused row
-- params: none
insert into ingest.quarantine by name select * from quarantine_rows
