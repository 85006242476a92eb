-- name: weeks_available
-- purpose: The ISO weeks the warehouse covers, newest first, and whether each is complete.
-- grain: one row per ISO week
-- params: none
select
    week_start,
    week_end,
    iso_week,
    is_complete
from marts.dim_weeks
order by week_start desc
