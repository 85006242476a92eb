-- name: store_grant
-- purpose: Grant a role to a person or group (a grant of the same role to the same subject is replaced: its scope, who and when).
-- grain: inserts or replaces one grant
-- params: subject_kind text, subject text, role_name text, scope text, granted_at text, granted_by text
insert into role_grants (subject_kind, subject, role_name, scope, granted_at, granted_by)
values ($subject_kind, $subject, $role_name, $scope, $granted_at, $granted_by)
on conflict (subject_kind, subject, role_name) do update set
    scope = excluded.scope,
    granted_at = excluded.granted_at,
    granted_by = excluded.granted_by
