-- name: store_record_change
-- purpose: Record one change of a draft's assumption (what, old value, new value, when, by whom, why, and whether it was back-dated on purpose).
-- grain: inserts one change
-- params: set_name text, assumption_key text, effective_from text, old_value text, new_value text, changed_at text, changed_by text, reason text, back_dated integer
insert into assumption_changes (
    set_name, assumption_key, effective_from, old_value, new_value, changed_at, changed_by, reason,
    back_dated
)
values (
    $set_name, $assumption_key, $effective_from, $old_value, $new_value, $changed_at,
    $changed_by, $reason, $back_dated
)
