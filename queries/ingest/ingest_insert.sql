-- name: ingest_insert
-- purpose: Insert the accepted incoming rows (new keys and newer versions) into the raw table.
-- grain: one row per accepted row; identifiers: table, key (from the contract)
-- params: none
insert into raw.{table} by name
select * from incoming where {key} in (select key_value from accepted_keys)
