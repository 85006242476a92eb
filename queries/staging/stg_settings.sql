-- name: stg_settings
-- purpose: The warehouse's settings cast: the as-of date given with `ingest --as-of` (null when none was given).
-- grain: one row (the settings of the warehouse)
-- params: none
-- an aggregate without group by: one row even when nothing is set
select
    cast(max(case when setting_key = 'as_of_date' then setting_value end) as date) as as_of_date
from ingest.settings
