-- name: ingest_assumptions_keep_history
-- purpose: Copy the stored assumption rows a company's file replaces (same key and valid_from, another value) into history, stamped with the load that replaced them.
-- grain: one row per replaced assumption row (registered frame replaced_rows: key, valid_from)
-- params: load_id bigint, loaded_at timestamp
insert into history.assumptions
select existing.*, $load_id, $loaded_at
from raw.assumptions as existing
where exists (
    select 1 from replaced_rows
    where replaced_rows.key = existing.key and replaced_rows.valid_from = existing.valid_from
)
