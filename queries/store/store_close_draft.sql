-- name: store_close_draft
-- purpose: Mark a draft as published by the publication recorded last in the same transaction (it is kept, read-only, as the record of what was published).
-- grain: updates one set
-- params: set_name text
update assumption_sets
set published_in = (select max(publication_id) from assumption_publications)
where set_name = $set_name
