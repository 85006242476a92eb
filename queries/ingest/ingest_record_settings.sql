-- name: ingest_record_settings
-- purpose: Record settings of the warehouse (from the registered frame setting_rows), e.g. the as-of date given with `ingest --as-of`.
-- grain: one row per setting key (ingest_setting_clear removes an earlier value first)
-- params: none
insert into ingest.settings by name select * from setting_rows
