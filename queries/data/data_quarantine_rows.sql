-- name: data_quarantine_rows
-- purpose: The problems of quarantined rows with their source record, for the chosen loads, tables and rules (an empty list means all), at most max_rows of them.
-- grain: one row per problem of a quarantined source row (load, file row number, column, rule)
-- params: load_ids bigint[], tables varchar[], rules varchar[], max_rows bigint
select
    load_id,
    file_name,
    table_name,
    row_number,
    column_name,
    value,
    rule,
    detail,
    record
from ingest.quarantine
where
    (len(cast($load_ids as bigint[])) = 0 or list_contains(cast($load_ids as bigint[]), load_id))
    and (len(cast($tables as varchar[])) = 0 or list_contains(cast($tables as varchar[]), table_name))
    and (len(cast($rules as varchar[])) = 0 or list_contains(cast($rules as varchar[]), rule))
order by load_id desc, row_number, column_name, rule
limit $max_rows
