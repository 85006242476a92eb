-- name: assert_unique_keys
-- purpose: Primary keys of the raw contract are unique; returns each duplicated key.
-- grain: one row per duplicated key (zero rows = pass)
-- params: none
with duplicated as (
    select 'customers' as table_name, customer_id as key_value, count(*) as copies
    from staging.stg_customers group by customer_id having count(*) > 1
    union all
    select 'survey_responses', response_id, count(*)
    from staging.stg_survey_responses group by response_id having count(*) > 1
    union all
    select 'complaints', complaint_id, count(*)
    from staging.stg_complaints group by complaint_id having count(*) > 1
    union all
    select 'contacts', contact_id, count(*)
    from staging.stg_contacts group by contact_id having count(*) > 1
    union all
    select 'transactions', transaction_id, count(*)
    from staging.stg_transactions group by transaction_id having count(*) > 1
)

select * from duplicated
