-- name: churn_by_nps_category
-- purpose: Customers active at a date by their latest NPS category before it, and how many churned by a later date.
-- grain: one row per NPS category (promoter, passive, detractor)
-- params: as_of date, horizon_end date, segments varchar[], regions varchar[], plans varchar[]
-- weight: customer-level
-- the category is the customer's latest relationship NPS answer before as_of
with latest_answer as (
    select
        customer_key,
        arg_max(nps_category, responded_at) as nps_category
    from marts.fct_survey_responses
    where survey = 'nps' and responded_at < $as_of
    group by customer_key
),

active_customers as (
    select customer_key, churn_date
    from marts.dim_customers
    where
        signup_date <= $as_of
        and (churn_date is null or churn_date > $as_of)
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
),

final as (
    select
        latest_answer.nps_category,
        count(*) as customer_count,
        count(*) filter (where active_customers.churn_date <= $horizon_end) as churned_count
    from active_customers
    inner join latest_answer using (customer_key)
    group by latest_answer.nps_category
)

select * from final
order by nps_category
