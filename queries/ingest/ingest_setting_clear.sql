-- name: ingest_setting_clear
-- purpose: Remove one setting of the warehouse (before it is written again, or when it no longer holds).
-- grain: deletes the rows of one setting key
-- params: setting_key varchar
delete from ingest.settings
where setting_key = $setting_key
