-- name: assert_timestamps_ordered
-- purpose: Timestamps follow each other: response and resolution after opening, churn after signup.
-- grain: one row per offending record (zero rows = pass)
-- params: none
with offending as (
    select 'complaints' as table_name, complaint_id as key_value, 'resolved_at before opened_at' as rule
    from staging.stg_complaints
    where resolved_at < opened_at
    union all
    select 'complaints', complaint_id, 'first_response_at before opened_at'
    from staging.stg_complaints
    where first_response_at < opened_at
    union all
    select 'customers', customer_id, 'churn_date before signup_date'
    from staging.stg_customers
    where churn_date < signup_date
)

select * from offending
