-- name: store_save_scenario
-- purpose: Save a named simulator scenario (levers as JSON), replacing an older one of that name.
-- grain: upserts one scenario
-- params: scenario_name text, saved_at text, saved_by text, assumption_set_id text, payload text
insert into scenarios (scenario_name, saved_at, saved_by, assumption_set_id, payload)
values ($scenario_name, $saved_at, $saved_by, $assumption_set_id, $payload)
on conflict (scenario_name) do update set
    saved_at = excluded.saved_at,
    saved_by = excluded.saved_by,
    assumption_set_id = excluded.assumption_set_id,
    payload = excluded.payload
