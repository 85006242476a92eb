-- name: store_migrate_001_publishing
-- purpose: Publishing: drafts remember the published version they start from and the publication that published them; changes say whether they were back-dated and which publication made them; publications are recorded with who, when and why.
-- grain: DDL, one statement per change, separated by semicolons (run once, in one transaction)
-- params: none
alter table assumption_sets add column base_version integer;
alter table assumption_sets add column published_in integer;
alter table assumption_changes add column back_dated integer not null default 0;
alter table assumption_changes add column publication_id integer;
create table assumption_publications (
    publication_id integer primary key autoincrement,
    draft_name text not null,
    -- one publication per published version: a second one from the same version fails
    from_version integer not null unique,
    to_version integer not null,
    published_at text not null,
    published_by text not null,
    reason text not null
);
-- a set made before publishing existed started from the published changes recorded by then
update assumption_sets
set base_version = (
    select count(*)
    from assumption_changes
    where
        assumption_changes.set_name = 'published'
        and assumption_changes.changed_at <= assumption_sets.created_at
)
where set_name <> 'published'
