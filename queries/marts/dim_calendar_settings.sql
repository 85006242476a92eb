-- name: dim_calendar_settings
-- purpose: How the warehouse counts time, for the app: where its weeks start (iso: Monday to Sunday; saturday: Saturday to Friday, named by the ISO week of its Monday) and its month calendar (gregorian or jalali).
-- grain: one row
-- params: none
select week_starts_on, week_shift, months from staging.stg_settings
