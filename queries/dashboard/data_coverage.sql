-- name: data_coverage
-- purpose: Which raw tables hold rows (and how many): what every page, the CLI and the pack treat as loaded.
-- grain: one row per raw customer or event table
-- params: none
select
    table_name,
    row_count
from marts.dim_data_coverage
order by table_name
