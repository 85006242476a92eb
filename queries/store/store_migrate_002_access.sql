-- name: store_migrate_002_access
-- purpose: Sign-in and roles: the roles granted to people (by e-mail address) and to the identity provider's groups, each with an optional scope of customer filters; and the audit log of who did what, when.
-- grain: DDL, one statement per change, separated by semicolons (run once, in one transaction)
-- params: none
create table role_grants (
    grant_id integer primary key autoincrement,
    subject_kind text not null check (subject_kind in ('email', 'group')),
    subject text not null,
    role_name text not null,
    -- blank: the whole company; else dimension=value[,value…][;…] (dashboard.access.roles)
    scope text not null default '',
    granted_at text not null,
    granted_by text not null,
    unique (subject_kind, subject, role_name)
);
create table audit_log (
    event_id integer primary key autoincrement,
    occurred_at text not null,
    actor text not null,
    actor_roles text not null,
    actor_scope text not null,
    action text not null,
    target text not null,
    detail text not null
);
create index audit_log_occurred on audit_log (occurred_at)
