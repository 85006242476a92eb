-- name: store_revoke
-- purpose: Take a role back from a person or group.
-- grain: deletes at most one grant
-- params: subject_kind text, subject text, role_name text
delete from role_grants
where subject_kind = $subject_kind and subject = $subject and role_name = $role_name
