-- name: stg_settings
-- purpose: The warehouse's settings cast: the as-of date given with `ingest --as-of` (null when none was given), where weeks start (iso or saturday) and the days a date moves forward to find its ISO-named week (0, or 2 for Saturday weeks), and the month calendar (gregorian or jalali).
-- grain: one row (the settings of the warehouse)
-- params: none
-- an aggregate without group by: one row even when nothing is set
with kept as (
    select
        cast(max(case when setting_key = 'as_of_date' then setting_value end) as date)
            as as_of_date,
        coalesce(max(case when setting_key = 'week_start' then setting_value end), 'iso')
            as week_starts_on,
        coalesce(max(case when setting_key = 'months' then setting_value end), 'gregorian')
            as months
    from ingest.settings
)

select
    as_of_date,
    week_starts_on,
    -- a Saturday week is named by the ISO week of its Monday, two days on
    cast(case when week_starts_on = 'saturday' then 2 else 0 end as integer) as week_shift,
    months
from kept
