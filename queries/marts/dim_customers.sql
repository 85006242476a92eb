-- name: dim_customers
-- purpose: Customers with the week buckets that turn signups and churns into active-base counts.
-- grain: one row per customer
-- params: none
with customers as (
    select * from staging.stg_customers
),

final as (
    select
        customer_id,
        segment,
        region,
        plan,
        acquisition_channel,
        signup_date,
        churn_date,
        -- active at Monday m  <=>  signup_date <= m and not (churn_date <= m);
        -- "date <= m" for a Monday m  <=>  the first Monday on or after the date is <= m
        cast(date_trunc('week', signup_date + interval 6 day) as date) as signup_bucket_week,
        cast(date_trunc('week', churn_date + interval 6 day) as date) as churn_bucket_week,
        cast(date_trunc('week', churn_date) as date) as churn_week
    from customers
)

select * from final
