-- name: data_table_status
-- purpose: Freshness of each raw table: rows, first and last event, rows kept in history, rows quarantined, and its latest load.
-- grain: one row per raw table of the contract, in load order (customers first)
-- params: none
-- the event of a table is its contract timestamp: signup_date, responded_at, opened_at, occurred_at
with tables as (
    select
        1 as table_order,
        'customers' as table_name,
        'signup_date' as event_column,
        count(*) as row_count,
        cast(min(signup_date) as timestamp) as first_event_at,
        cast(max(signup_date) as timestamp) as last_event_at
    from raw.customers
    union all
    select 2, 'survey_responses', 'responded_at', count(*), min(responded_at), max(responded_at)
    from raw.survey_responses
    union all
    select 3, 'complaints', 'opened_at', count(*), min(opened_at), max(opened_at)
    from raw.complaints
    union all
    select 4, 'contacts', 'occurred_at', count(*), min(occurred_at), max(occurred_at)
    from raw.contacts
    union all
    select 5, 'transactions', 'occurred_at', count(*), min(occurred_at), max(occurred_at)
    from raw.transactions
),

history as (
    select 'customers' as table_name, count(*) as history_rows from history.customers
    union all
    select 'survey_responses', count(*) from history.survey_responses
    union all
    select 'complaints', count(*) from history.complaints
    union all
    select 'contacts', count(*) from history.contacts
    union all
    select 'transactions', count(*) from history.transactions
),

quarantined as (
    -- a row with several problems has several quarantine rows: count it once
    select table_name, count(*) as quarantined_rows
    from (select distinct table_name, load_id, row_number from ingest.quarantine) as rows_kept
    group by table_name
),

latest_load as (
    select
        table_name,
        load_id as last_load_id,
        loaded_at as last_loaded_at,
        file_name as last_file_name
    from ingest.loads
    qualify row_number() over (partition by table_name order by load_id desc) = 1
),

load_counts as (
    select table_name, count(*) as load_count
    from ingest.loads
    group by table_name
),

final as (
    select
        tables.table_order,
        tables.table_name,
        tables.event_column,
        tables.row_count,
        tables.first_event_at,
        tables.last_event_at,
        coalesce(load_counts.load_count, 0) as load_count,
        latest_load.last_load_id,
        latest_load.last_loaded_at,
        latest_load.last_file_name,
        coalesce(history.history_rows, 0) as history_rows,
        coalesce(quarantined.quarantined_rows, 0) as quarantined_rows
    from tables
    left join history using (table_name)
    left join quarantined using (table_name)
    left join latest_load using (table_name)
    left join load_counts using (table_name)
)

select
    table_name,
    event_column,
    row_count,
    first_event_at,
    last_event_at,
    load_count,
    last_load_id,
    last_loaded_at,
    last_file_name,
    history_rows,
    quarantined_rows
from final
order by table_order
