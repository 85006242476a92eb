-- name: fct_customer_revenue_weekly
-- purpose: Net revenue of each customer per ISO week (refunds netted), for trailing-revenue figures.
-- grain: one row per customer and ISO week with at least one transaction
-- params: none
with transactions as (
    select * from staging.stg_transactions
),

final as (
    select
        customer_id,
        week_start,
        sum(amount) as revenue_amount
    from transactions
    group by customer_id, week_start
)

select * from final
order by week_start, customer_id
