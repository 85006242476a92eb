-- name: warehouse_settings
-- purpose: How the warehouse counts time: where its weeks start (iso or saturday) and its month calendar (gregorian or jalali), kept when it was first built or loaded.
-- grain: one row
-- params: none
select week_starts_on, months from marts.dim_calendar_settings
