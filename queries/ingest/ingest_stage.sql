-- name: ingest_stage
-- purpose: An empty temporary table shaped like the raw table, which the incoming rows are inserted into (cast to the raw types).
-- grain: DDL; identifiers: table (from the contract)
-- params: none
create or replace temp table incoming as select * from raw.{table} limit 0
