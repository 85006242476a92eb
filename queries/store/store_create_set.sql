-- name: store_create_set
-- purpose: Record a new assumption set: a draft (a copy of the published set or of another draft, with the published version it starts from) or the published set itself.
-- grain: inserts one set
-- params: set_name text, based_on text, created_at text, created_by text, description text, base_version integer
insert into assumption_sets (set_name, based_on, created_at, created_by, description, base_version)
values ($set_name, $based_on, $created_at, $created_by, $description, $base_version)
