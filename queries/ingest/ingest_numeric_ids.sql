-- name: ingest_numeric_ids
-- purpose: The id columns a warehouse built before ids were text still holds as numbers, in its raw and history tables (turned into text before a load).
-- grain: one row per such column
-- params: id_columns varchar[]
select table_schema, table_name, column_name
from information_schema.columns
where table_schema in ('raw', 'history')
    and list_contains($id_columns, column_name)
    and data_type <> 'VARCHAR'
order by table_schema, table_name, column_name
