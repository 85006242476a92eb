-- name: store_record_change
-- purpose: Record one change of an assumption (what, old value, new value, when, by whom).
-- grain: inserts one change
-- params: set_name text, assumption_key text, effective_from text, old_value text, new_value text, changed_at text, changed_by text, reason text
insert into assumption_changes (
    set_name, assumption_key, effective_from, old_value, new_value, changed_at, changed_by, reason
)
values (
    $set_name, $assumption_key, $effective_from, $old_value, $new_value, $changed_at,
    $changed_by, $reason
)
