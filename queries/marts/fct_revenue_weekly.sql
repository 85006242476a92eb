-- name: fct_revenue_weekly
-- purpose: Revenue per week, cell, channel and kind, with the sum of squares for its variance.
-- grain: one row per ISO week x segment x region x plan x channel x kind
-- params: none
with transactions as (
    select * from staging.stg_transactions
),

customers as (
    select customer_id, segment, region, plan from marts.dim_customers
),

final as (
    select
        transactions.week_start,
        customers.segment,
        customers.region,
        customers.plan,
        transactions.channel,
        transactions.kind,
        count(*) as transaction_count,
        sum(transactions.amount) as revenue_amount,
        sum(transactions.amount * transactions.amount) as revenue_sq_sum
    from transactions
    inner join customers using (customer_id)
    group by all
)

select * from final
