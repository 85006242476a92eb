-- name: stg_customers
-- purpose: Customers from the raw contract, renamed and cast; nothing derived.
-- grain: one row per customer
-- params: none
select
    cast(customer_id as varchar) as customer_id,
    cast(segment as varchar) as segment,
    cast(region as varchar) as region,
    cast(plan as varchar) as plan,
    cast(acquisition_channel as varchar) as acquisition_channel,
    cast(signup_date as date) as signup_date,
    cast(churn_date as date) as churn_date
from raw.customers
