-- name: assumptions_in_force
-- purpose: Every finance assumption and target in force in one week, with its validity date.
-- grain: one row per assumption key
-- params: week_start date
select
    assumption_key,
    valid_from,
    value_text,
    value_number,
    unit,
    description
from marts.dim_assumptions_weekly
where week_start = $week_start
order by assumption_key
