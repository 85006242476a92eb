-- name: store_audit_events
-- purpose: The audit log's events from a time on, newest first, optionally of one action or one actor (blank: all), at most row_limit of them.
-- grain: one row per event
-- params: since text, action text, actor text, row_limit integer
select event_id, occurred_at, actor, actor_roles, actor_scope, action, target, detail
from audit_log
where
    occurred_at >= $since
    and ($action = '' or action = $action)
    and ($actor = '' or actor = $actor)
order by event_id desc
limit $row_limit
