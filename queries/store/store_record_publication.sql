-- name: store_record_publication
-- purpose: Record one publication of a draft: who, when, why, and the published versions before and after (one publication per published version).
-- grain: inserts one publication
-- params: draft_name text, from_version integer, to_version integer, published_at text, published_by text, reason text
insert into assumption_publications (
    draft_name, from_version, to_version, published_at, published_by, reason
)
values ($draft_name, $from_version, $to_version, $published_at, $published_by, $reason)
