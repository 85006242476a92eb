-- name: store_scenarios
-- purpose: Every saved simulator scenario, newest first.
-- grain: one row per scenario
-- params: none
select scenario_name, saved_at, saved_by, assumption_set_id, payload
from scenarios
order by saved_at desc, scenario_name
