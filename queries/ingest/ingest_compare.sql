-- name: ingest_compare
-- purpose: Each incoming row against the warehouse: is its key known, does it belong to someone else (identity differs), or is it identical to the stored row.
-- grain: one row per incoming row; identifiers: table, key, identity (from the contract)
-- params: none
with same as (
    select {key} from (select * from incoming intersect select * from raw.{table})
)

select
    incoming.{key} as key_value,
    existing.{key} is not null as is_known,
    existing.{key} is not null
        and existing.{identity} is distinct from incoming.{identity} as is_clash,
    incoming.{key} in (select {key} from same) as is_unchanged
from incoming
left join raw.{table} as existing on existing.{key} = incoming.{key}
