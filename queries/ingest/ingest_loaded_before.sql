-- name: ingest_loaded_before
-- purpose: An earlier load of the same file bytes into the same table with the same mapping (a repeat changes nothing).
-- grain: one row per matching earlier load
-- params: checksum varchar, table_name varchar, mapping_checksum varchar
select load_id, loaded_at
from ingest.loads
where checksum = $checksum
    and table_name = $table_name
    and mapping_checksum = $mapping_checksum
order by load_id
