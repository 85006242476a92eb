-- name: dim_data_coverage
-- purpose: What is loaded: the rows of each raw table of the contract, so a figure whose source has no rows is "not loaded", never 0.
-- grain: one row per raw customer or event table (customers, survey_responses, complaints, contacts, transactions)
-- params: none
-- counted once per build or load (ingest rebuilds the marts), so the app reads five rows
with counts as (
    select 'customers' as table_name, count(*) as row_count from staging.stg_customers
    union all
    select 'survey_responses', count(*) from staging.stg_survey_responses
    union all
    select 'complaints', count(*) from staging.stg_complaints
    union all
    select 'contacts', count(*) from staging.stg_contacts
    union all
    select 'transactions', count(*) from staging.stg_transactions
),

final as (
    select
        table_name,
        cast(row_count as bigint) as row_count
    from counts
)

select * from final
