-- name: store_schema
-- purpose: Tables of the app-owned store as first shipped (assumption sets, their change log, saved scenarios, the migrations applied); never the analytics warehouse. Later changes are the store_migrate_* files.
-- grain: DDL, one statement per table, separated by semicolons (the store runs them in order)
-- params: none
create table if not exists assumption_sets (
    set_name text primary key,
    based_on text not null,
    created_at text not null,
    created_by text not null,
    description text not null default ''
);
create table if not exists assumption_changes (
    change_id integer primary key autoincrement,
    set_name text not null references assumption_sets (set_name),
    assumption_key text not null,
    effective_from text not null,
    old_value text,
    new_value text not null,
    changed_at text not null,
    changed_by text not null,
    reason text not null default ''
);
create table if not exists scenarios (
    scenario_name text primary key,
    saved_at text not null,
    saved_by text not null,
    assumption_set_id text not null,
    payload text not null
);
create table if not exists store_migrations (
    migration text primary key,
    applied_at text not null
)
