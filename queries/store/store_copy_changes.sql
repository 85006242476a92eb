-- name: store_copy_changes
-- purpose: Copy one set's recorded changes to a new set, so the new set starts equal to it.
-- grain: inserts one change per change of the source set
-- params: from_set text, to_set text
insert into assumption_changes (
    set_name, assumption_key, effective_from, old_value, new_value, changed_at, changed_by, reason,
    back_dated
)
select
    $to_set, assumption_key, effective_from, old_value, new_value, changed_at, changed_by,
    'copied from ' || $from_set || ' #' || change_id, back_dated
from assumption_changes
where set_name = $from_set
order by change_id
