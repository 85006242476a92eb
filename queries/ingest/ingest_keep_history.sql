-- name: ingest_keep_history
-- purpose: Copy the stored versions of the rows a load replaces into history, stamped with the load that replaced them.
-- grain: one row per replaced row; identifiers: table, key (from the contract)
-- params: load_id bigint, loaded_at timestamp
insert into history.{table}
select existing.*, $load_id, $loaded_at
from raw.{table} as existing
where existing.{key} in (select key_value from replaced_keys)
