-- name: ingest_id_as_text
-- purpose: Turn one id column of a raw table into text, values kept (123 becomes '123'), in a warehouse built before ids were text.
-- grain: DDL; identifiers: table, key (from the contract: the table and its id column)
-- params: none
alter table raw.{table} alter column {key} type varchar
