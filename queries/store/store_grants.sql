-- name: store_grants
-- purpose: Every role granted, to people and to groups, with its scope and who granted it when.
-- grain: one row per grant
-- params: none
select grant_id, subject_kind, subject, role_name, scope, granted_at, granted_by
from role_grants
order by subject_kind, subject, role_name
