-- name: data_calendar
-- purpose: The dates the calendar is built from: per dated column of the loaded tables its first and last date, and the as-of date given at ingest (dashboard.warehouse.weeks.data_calendar reads it).
-- grain: one row per dated column and one for the given as-of date
-- params: none
select
    table_name,
    column_name,
    date_role,
    date_count,
    first_date,
    last_date
from marts.dim_data_dates
order by date_order
