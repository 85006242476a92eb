-- name: data_quarantine_summary
-- purpose: How many rows each load put in quarantine, by table and rule (the quarantine browser's choices and counts).
-- grain: one row per load, file, table and rule
-- params: none
select
    load_id,
    file_name,
    table_name,
    rule,
    count(*) as row_count
from ingest.quarantine
group by all
order by load_id desc, table_name, row_count desc, rule
