-- name: store_delete_scenario
-- purpose: Delete one saved simulator scenario by name.
-- grain: deletes at most one scenario
-- params: scenario_name text
delete from scenarios where scenario_name = $scenario_name
