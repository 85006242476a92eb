-- name: ingest_quarantine_detail
-- purpose: Give a quarantine made before problems carried a detail (e.g. the customer's signup date) its detail column; nothing when it has one.
-- grain: DDL
-- params: none
alter table ingest.quarantine add column if not exists detail varchar
