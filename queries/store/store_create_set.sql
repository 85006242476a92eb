-- name: store_create_set
-- purpose: Record a new assumption set (a name over the published rows, or a copy of another set's changes).
-- grain: inserts one set
-- params: set_name text, based_on text, created_at text, created_by text, description text
insert into assumption_sets (set_name, based_on, created_at, created_by, description)
values ($set_name, $based_on, $created_at, $created_by, $description)
