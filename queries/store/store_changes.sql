-- name: store_changes
-- purpose: The change log of one assumption set, oldest first.
-- grain: one row per recorded change
-- params: set_name text
select
    change_id,
    set_name,
    assumption_key,
    effective_from,
    old_value,
    new_value,
    changed_at,
    changed_by,
    reason
from assumption_changes
where set_name = $set_name
order by change_id
