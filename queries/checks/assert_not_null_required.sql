-- name: assert_not_null_required
-- purpose: Keys and required columns of the raw contract are never null; returns offending rows.
-- grain: one row per offending record (zero rows = pass)
-- params: none
with offending as (
    select 'customers' as table_name, customer_id as key_value
    from staging.stg_customers
    where customer_id is null or segment is null or region is null or plan is null
        or signup_date is null
    union all
    select 'survey_responses', response_id
    from staging.stg_survey_responses
    where response_id is null or customer_id is null or responded_at is null or survey is null
        or score is null or scale_min is null or scale_max is null
    union all
    select 'complaints', complaint_id
    from staging.stg_complaints
    where complaint_id is null or customer_id is null or opened_at is null
    union all
    select 'contacts', contact_id
    from staging.stg_contacts
    where contact_id is null or customer_id is null or occurred_at is null or channel is null
    union all
    select 'transactions', transaction_id
    from staging.stg_transactions
    where transaction_id is null or customer_id is null or occurred_at is null or amount is null
)

select * from offending
