-- name: store_publish_change
-- purpose: Record one change of the published set, made by the publication recorded last in the same transaction.
-- grain: inserts one change
-- params: assumption_key text, effective_from text, old_value text, new_value text, changed_at text, changed_by text, reason text, back_dated integer
insert into assumption_changes (
    set_name, assumption_key, effective_from, old_value, new_value, changed_at, changed_by, reason,
    back_dated, publication_id
)
values (
    'published', $assumption_key, $effective_from, $old_value, $new_value, $changed_at,
    $changed_by, $reason, $back_dated,
    (select max(publication_id) from assumption_publications)
)
