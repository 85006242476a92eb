-- name: ingest_history_id_as_text
-- purpose: Turn one id column of a history table into text, values kept, as ingest_id_as_text does for its raw table.
-- grain: DDL; identifiers: table, key (from the contract: the table and its id column)
-- params: none
alter table history.{table} alter column {key} type varchar
