-- name: store_changes
-- purpose: The change log of one assumption set, oldest first (with whether a change was back-dated and the publication that made it, if any).
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
    reason,
    back_dated,
    publication_id
from assumption_changes
where set_name = $set_name
order by change_id
