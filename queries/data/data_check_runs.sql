-- name: data_check_runs
-- purpose: The latest recorded run of each contract check: failing rows, when it ran and how long it took.
-- grain: one row per contract check that has been recorded
-- params: none
-- Recorded by every build and load in the warehouse it published (dashboard.warehouse.build.rebuild).
select
    check_name,
    failing_rows,
    checked_at,
    seconds
from ingest.check_runs
qualify row_number() over (partition by check_name order by checked_at desc) = 1
order by check_name
