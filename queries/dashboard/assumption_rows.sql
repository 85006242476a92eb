-- name: assumption_rows
-- purpose: Every published assumption value with the date it is in force from (the base of every assumption set).
-- grain: one row per assumption key and valid_from date in force during the warehouse's weeks
-- params: none
select distinct
    assumption_key,
    valid_from,
    value_text,
    unit,
    description
from marts.dim_assumptions_weekly
order by assumption_key, valid_from
