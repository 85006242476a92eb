-- name: data_tables_present
-- purpose: Which tables of the raw, history and ingest schemas the warehouse holds (a warehouse built before the load log lacks some).
-- grain: one row per table of those schemas
-- params: none
select
    table_schema,
    table_name
from information_schema.tables
where table_schema in ('raw', 'history', 'ingest')
order by table_schema, table_name
