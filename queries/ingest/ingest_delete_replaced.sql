-- name: ingest_delete_replaced
-- purpose: Remove the stored versions of the rows a load replaces (their copies are in history).
-- grain: one row per replaced row; identifiers: table, key (from the contract)
-- params: none
delete from raw.{table} where {key} in (select key_value from replaced_keys)
