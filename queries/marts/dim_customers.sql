-- name: dim_customers
-- purpose: Customers with the week buckets that turn signups and churns into active-base counts.
-- grain: one row per customer (customer_key: an internal integer surrogate of customer_id)
-- params: none
with customers as (
    select * from staging.stg_customers
),

-- the days a date moves forward to find its week (0 for ISO weeks, 2 for Saturday weeks)
settings as (
    select week_shift from staging.stg_settings
),

final as (
    select
        -- the internal integer key: dense, in customer_id order, rebuilt with the marts; the
        -- per-customer marts carry it so the pages' joins compare integers, not text ids
        cast(row_number() over (order by customer_id) as integer) as customer_key,
        customer_id,
        segment,
        region,
        plan,
        acquisition_channel,
        signup_date,
        churn_date,
        -- active at a week's first day m (a Monday, or a Saturday)  <=>  signup_date <= m and
        -- not (churn_date <= m); "date <= m"  <=>  the first week start on or after the date
        -- is <= m
        cast(date_trunc('week', signup_date + 6 + settings.week_shift) as date)
            - settings.week_shift as signup_bucket_week,
        cast(date_trunc('week', churn_date + 6 + settings.week_shift) as date)
            - settings.week_shift as churn_bucket_week,
        -- week starts on which the customer was active: churned in the week [m, m + 7) <=> active
        -- at m and not at m + 7 <=> churn_bucket_week = m + 7 and weeks_active >= 1
        cast(date_diff(
            'day',
            cast(date_trunc('week', signup_date + 6 + settings.week_shift) as date),
            cast(date_trunc('week', churn_date + 6 + settings.week_shift) as date)
        ) / 7 as integer) as weeks_active
    from customers
    cross join settings
)

select * from final
