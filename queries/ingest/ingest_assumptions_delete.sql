-- name: ingest_assumptions_delete
-- purpose: Remove the stored assumption rows a company's file replaces (their copies are in history).
-- grain: one row per replaced assumption row (registered frame replaced_rows: key, valid_from)
-- params: none
delete from raw.assumptions
where exists (
    select 1 from replaced_rows
    where replaced_rows.key = raw.assumptions.key
        and replaced_rows.valid_from = raw.assumptions.valid_from
)
