-- name: dim_data_dates
-- purpose: The dates the calendar is built from: first and last date of each dated column of the loaded tables, and the as-of date given at ingest.
-- grain: one row per dated column (customers' signup and churn dates, each event table's timestamp) and one for the given as-of date; dates null when there are none
-- params: none
-- date_role: event (an event table's own timestamp), signup, churn, or as_of (given with
-- `ingest --as-of`); dim_weeks and dashboard.warehouse.weeks.data_calendar read the roles
with dated as (
    select
        1 as date_order,
        'customers' as table_name,
        'signup_date' as column_name,
        'signup' as date_role,
        count(signup_date) as date_count,
        min(signup_date) as first_date,
        max(signup_date) as last_date
    from staging.stg_customers
    union all
    select 2, 'customers', 'churn_date', 'churn', count(churn_date), min(churn_date),
        max(churn_date)
    from staging.stg_customers
    union all
    select 3, 'survey_responses', 'responded_at', 'event', count(responded_at),
        cast(min(responded_at) as date), cast(max(responded_at) as date)
    from staging.stg_survey_responses
    union all
    select 4, 'complaints', 'opened_at', 'event', count(opened_at),
        cast(min(opened_at) as date), cast(max(opened_at) as date)
    from staging.stg_complaints
    union all
    select 5, 'contacts', 'occurred_at', 'event', count(occurred_at),
        cast(min(occurred_at) as date), cast(max(occurred_at) as date)
    from staging.stg_contacts
    union all
    select 6, 'transactions', 'occurred_at', 'event', count(occurred_at),
        cast(min(occurred_at) as date), cast(max(occurred_at) as date)
    from staging.stg_transactions
    union all
    select 7, 'settings', 'as_of_date', 'as_of', count(as_of_date), min(as_of_date),
        max(as_of_date)
    from staging.stg_settings
),

final as (
    select
        date_order,
        table_name,
        column_name,
        date_role,
        cast(date_count as bigint) as date_count,
        cast(first_date as date) as first_date,
        cast(last_date as date) as last_date
    from dated
)

select * from final
