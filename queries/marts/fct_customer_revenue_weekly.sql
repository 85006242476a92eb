-- name: fct_customer_revenue_weekly
-- purpose: Net revenue of each customer per ISO week (refunds netted), for trailing-revenue figures.
-- grain: one row per customer (customer_key, the integer key of dim_customers) and ISO week with at least one transaction
-- params: none
with transactions as (
    select customer_id, week_start, amount from staging.stg_transactions
),

customers as (
    select customer_key, customer_id from marts.dim_customers
),

final as (
    select
        customers.customer_key,
        transactions.week_start,
        sum(transactions.amount) as revenue_amount
    from transactions
    inner join customers using (customer_id)
    group by customers.customer_key, transactions.week_start
)

select * from final
order by week_start, customer_key
