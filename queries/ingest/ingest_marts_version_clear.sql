-- name: ingest_marts_version_clear
-- purpose: Remove the recorded fingerprint of the SQL that built the marts, before a rebuild records its own (one row, the latest).
-- grain: deletes the rows of the marts_version setting
-- params: none
delete from ingest.settings
where setting_key = 'marts_version'
