-- name: ingest_calendar_settings
-- purpose: How the warehouse counts time as kept in it (week_start, months); a key not kept has its default (ISO weeks, Gregorian months).
-- grain: one row per calendar setting kept
-- params: none
select setting_key, max(setting_value) as setting_value
from ingest.settings
where setting_key in ('week_start', 'months')
group by setting_key
