-- name: fct_churn_monthly
-- purpose: Customers active at each month start, who of them churned in the month, and their trailing 3-month revenue.
-- grain: one row per month (Gregorian, or Jalali as the warehouse counts months) x segment x region x plan
-- params: none
-- active at a month start m: signup_date <= m and (churn_date is null or churn_date > m);
-- churned in the month: active at m and not active at the next month start (m < churn_date <= next m).
-- trailing revenue: net transactions in the three months before m (refunds netted,
-- floored at zero); complete only when those three months lie inside the data.
with bounds as (
    select
        min(week_start) as first_day,
        max(week_end) as last_day
    from marts.dim_weeks
),

-- the months as the warehouse counts them (Gregorian, or Jalali), numbered in order
calendar_months as (
    select distinct month_start, next_month_start, month_index
    from staging.stg_calendar_days
),

-- every month from the one holding the first day to the one holding the last day
months as (
    select
        calendar_months.month_start,
        calendar_months.next_month_start,
        coalesce(three_before.month_start >= bounds.first_day, false)
            as revenue_history_complete
    from bounds
    inner join staging.stg_calendar_days as first_month on first_month.day = bounds.first_day
    inner join staging.stg_calendar_days as last_month on last_month.day = bounds.last_day
    inner join calendar_months
        on calendar_months.month_index >= first_month.month_index
        and calendar_months.month_index <= last_month.month_index
    left join calendar_months as three_before
        on three_before.month_index = calendar_months.month_index - 3
),

customers as (
    select customer_key, customer_id, segment, region, plan, signup_date, churn_date
    from marts.dim_customers
),

monthly_revenue as (
    select
        customers.customer_key,
        days.month_start,
        sum(transactions.amount) as revenue_amount
    from staging.stg_transactions as transactions
    inner join customers using (customer_id)
    inner join staging.stg_calendar_days as days
        on days.day = cast(transactions.occurred_at as date)
    group by all
),

-- every customer x month, so a window can sum the three months before each month
customer_months as (
    select
        customers.customer_key,
        months.month_start,
        coalesce(monthly_revenue.revenue_amount, 0) as revenue_amount
    from customers
    cross join months
    left join monthly_revenue
        on monthly_revenue.customer_key = customers.customer_key
        and monthly_revenue.month_start = months.month_start
),

revenue_before as (
    select
        customer_key,
        month_start,
        greatest(coalesce(sum(revenue_amount) over (
            partition by customer_key
            order by month_start
            rows between 3 preceding and 1 preceding
        ), 0), 0) as trailing_revenue
    from customer_months
),

active as (
    select
        months.month_start,
        months.next_month_start,
        months.revenue_history_complete,
        customers.segment,
        customers.region,
        customers.plan,
        customers.churn_date is not null
            and customers.churn_date <= months.next_month_start as is_churned,
        revenue_before.trailing_revenue
    from customers
    inner join months
        on customers.signup_date <= months.month_start
        and (customers.churn_date is null or customers.churn_date > months.month_start)
    inner join revenue_before
        on revenue_before.customer_key = customers.customer_key
        and revenue_before.month_start = months.month_start
),

final as (
    select
        month_start,
        next_month_start,
        revenue_history_complete,
        segment,
        region,
        plan,
        count(*) as active_at_start,
        count(*) filter (where is_churned) as churned_count,
        sum(trailing_revenue) as revenue_at_start,
        coalesce(sum(trailing_revenue) filter (where is_churned), 0) as revenue_churned,
        sum(trailing_revenue * trailing_revenue) as revenue_sq_at_start,
        coalesce(sum(trailing_revenue * trailing_revenue) filter (where is_churned), 0)
            as revenue_sq_churned
    from active
    group by all
)

select * from final
order by month_start, segment, region, plan
