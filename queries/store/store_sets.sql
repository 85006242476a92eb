-- name: store_sets
-- purpose: Every assumption set recorded in the store, with its number of changes (its version), the published version a draft started from and the publication that published it (null while open).
-- grain: one row per set
-- params: none
select
    assumption_sets.set_name,
    assumption_sets.based_on,
    assumption_sets.created_at,
    assumption_sets.created_by,
    assumption_sets.description,
    assumption_sets.base_version,
    assumption_sets.published_in,
    count(assumption_changes.change_id) as version
from assumption_sets
left join assumption_changes on assumption_changes.set_name = assumption_sets.set_name
group by
    assumption_sets.set_name, assumption_sets.based_on, assumption_sets.created_at,
    assumption_sets.created_by, assumption_sets.description, assumption_sets.base_version,
    assumption_sets.published_in
order by assumption_sets.created_at, assumption_sets.set_name
