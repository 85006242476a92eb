-- name: stg_assumptions
-- purpose: Finance assumptions cast; numeric values parsed where they are numbers.
-- grain: one row per assumption key and valid_from date
-- params: none
select
    cast(key as varchar) as assumption_key,
    cast(valid_from as date) as valid_from,
    cast(value as varchar) as value_text,
    try_cast(value as double) as value_number,
    cast(unit as varchar) as unit,
    cast(description as varchar) as description
from raw.assumptions
