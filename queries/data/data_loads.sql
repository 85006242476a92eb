-- name: data_loads
-- purpose: The load log: every file loaded, with what became of its rows, its mapping, checksum and archived copy, newest first.
-- grain: one row per loaded file (ingest.loads)
-- params: none
select
    load_id,
    run_id,
    loaded_at,
    file_name,
    table_name,
    checksum,
    size_bytes,
    mapping_name,
    mapping_checksum,
    archive_path,
    rows_read,
    rows_new,
    rows_replaced,
    rows_unchanged,
    rows_quarantined,
    by_rule,
    first_event_at,
    last_event_at
from ingest.loads
order by load_id desc
