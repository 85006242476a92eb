-- name: warehouse_build
-- purpose: Which version of the staging and mart SQL built the warehouse's marts: the fingerprint recorded at the latest rebuild (no row for a warehouse built before it was recorded).
-- grain: at most one row (the latest recorded)
-- params: none
select setting_value as marts_version
from ingest.settings
where setting_key = 'marts_version'
order by set_at desc
limit 1
