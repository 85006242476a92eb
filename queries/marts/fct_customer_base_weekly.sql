-- name: fct_customer_base_weekly
-- purpose: Customers active at the start of each week, churned and signed up in it, and churned in the 4 weeks ending with it, per cell.
-- grain: one row per week x segment x region x plan
-- params: none
with customers as (
    select * from marts.dim_customers
),

weeks as (
    select week_start from marts.dim_weeks
),

first_week as (
    select min(week_start) as week_start from weeks
),

cells as (
    select distinct segment, region, plan from customers
),

-- signups and churns before the first week count in the first week's opening base
signup_buckets as (
    select
        greatest(customers.signup_bucket_week, first_week.week_start) as week_start,
        segment,
        region,
        plan,
        count(*) as customer_count
    from customers, first_week
    group by all
),

churn_buckets as (
    select
        greatest(customers.churn_bucket_week, first_week.week_start) as week_start,
        segment,
        region,
        plan,
        count(*) as customer_count
    from customers, first_week
    where customers.churn_date is not null
    group by all
),

-- churners who were active on at least one Monday, by the first Monday they are gone and by
-- how many Mondays they were active (capped at 4: the longest window counted here)
churn_spans as (
    select
        churn_bucket_week,
        segment,
        region,
        plan,
        least(weeks_active, 4) as weeks_active,
        count(*) as customer_count
    from customers
    where churn_date is not null and weeks_active >= 1
    group by all
),

-- churned in the week [m, m + 7): active at m, gone at m + 7
churned as (
    select
        cast(churn_bucket_week - interval 7 day as date) as week_start,
        segment,
        region,
        plan,
        sum(customer_count) as customer_count
    from churn_spans
    group by all
),

-- churned in the 4 weeks ending with week m: active at a = m - 21 days and gone at m + 7.
-- A churner gone from Monday a + 7j (j = 1..4) was active at a when active on >= j Mondays.
churned_4w_parts as (
    select cast(churn_bucket_week + interval 14 day as date) as week_start, segment, region,
        plan, customer_count
    from churn_spans
    union all
    select cast(churn_bucket_week + interval 7 day as date), segment, region, plan,
        customer_count
    from churn_spans
    where weeks_active >= 2
    union all
    select churn_bucket_week, segment, region, plan, customer_count
    from churn_spans
    where weeks_active >= 3
    union all
    select cast(churn_bucket_week - interval 7 day as date), segment, region, plan,
        customer_count
    from churn_spans
    where weeks_active >= 4
),

churned_4w as (
    select week_start, segment, region, plan, sum(customer_count) as customer_count
    from churned_4w_parts
    group by all
),

signed_up as (
    select
        cast(
            cast(date_trunc('week', customers.signup_date + settings.week_shift) as date)
            - settings.week_shift
            as date
        ) as week_start,
        segment,
        region,
        plan,
        count(*) as customer_count
    from customers
    cross join staging.stg_settings as settings
    group by all
),

grid as (
    select weeks.week_start, cells.segment, cells.region, cells.plan
    from weeks
    cross join cells
),

final as (
    select
        grid.week_start,
        grid.segment,
        grid.region,
        grid.plan,
        cast(
            sum(coalesce(signup_buckets.customer_count, 0)) over cell_history
            - sum(coalesce(churn_buckets.customer_count, 0)) over cell_history
            as bigint
        ) as active_at_start,
        cast(coalesce(churned.customer_count, 0) as bigint) as churned_count,
        cast(coalesce(churned_4w.customer_count, 0) as bigint) as churned_4w_count,
        cast(coalesce(signed_up.customer_count, 0) as bigint) as signup_count
    from grid
    left join signup_buckets using (week_start, segment, region, plan)
    left join churn_buckets using (week_start, segment, region, plan)
    left join churned using (week_start, segment, region, plan)
    left join churned_4w using (week_start, segment, region, plan)
    left join signed_up using (week_start, segment, region, plan)
    window cell_history as (
        partition by grid.segment, grid.region, grid.plan
        order by grid.week_start
        rows between unbounded preceding and current row
    )
)

select * from final
