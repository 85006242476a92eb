-- name: assert_relationships
-- purpose: Every event refers to a known customer; returns events with an unknown customer_id.
-- grain: one row per orphan event (zero rows = pass)
-- params: none
with events as (
    select 'survey_responses' as table_name, response_id as key_value, customer_id
    from staging.stg_survey_responses
    union all
    select 'complaints', complaint_id, customer_id from staging.stg_complaints
    union all
    select 'contacts', contact_id, customer_id from staging.stg_contacts
    union all
    select 'transactions', transaction_id, customer_id from staging.stg_transactions
),

final as (
    select events.*
    from events
    left join staging.stg_customers as customers using (customer_id)
    where customers.customer_id is null
)

select * from final
