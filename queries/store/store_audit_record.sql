-- name: store_audit_record
-- purpose: Record one event of the audit log: who (with their roles and scope at the time), when, what and on what.
-- grain: inserts one event
-- params: occurred_at text, actor text, actor_roles text, actor_scope text, action text, target text, detail text
insert into audit_log (occurred_at, actor, actor_roles, actor_scope, action, target, detail)
values ($occurred_at, $actor, $actor_roles, $actor_scope, $action, $target, $detail)
