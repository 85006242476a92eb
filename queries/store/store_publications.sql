-- name: store_publications
-- purpose: Every publication of the published set, newest first, with the number of changes it made.
-- grain: one row per publication
-- params: none
select
    assumption_publications.publication_id,
    assumption_publications.draft_name,
    assumption_publications.from_version,
    assumption_publications.to_version,
    assumption_publications.published_at,
    assumption_publications.published_by,
    assumption_publications.reason,
    count(assumption_changes.change_id) as change_count
from assumption_publications
left join assumption_changes
    on assumption_changes.publication_id = assumption_publications.publication_id
group by
    assumption_publications.publication_id, assumption_publications.draft_name,
    assumption_publications.from_version, assumption_publications.to_version,
    assumption_publications.published_at, assumption_publications.published_by,
    assumption_publications.reason
order by assumption_publications.publication_id desc
