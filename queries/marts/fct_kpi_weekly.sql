-- name: fct_kpi_weekly
-- purpose: The operational KPI inputs per week and customer cell: base, churn, complaints, cost (with its customer-clustered variance and the sum of squared customer costs), revenue (with the active customers' own revenue and its sum of squares).
-- grain: one row per ISO week x segment x region x plan
-- params: none
with base as (
    select * from marts.fct_customer_base_weekly
),

contacts as (
    select
        week_start,
        segment,
        region,
        plan,
        sum(contact_count) as contact_count,
        sum(contact_cost) as contact_cost
    from marts.fct_contacts_weekly
    group by all
),

-- each customer's contact cost in the week over all channels (customers are the clusters)
customer_cost as (
    select week_start, segment, region, plan, customer_key, sum(cost_per_contact) as cost
    from marts.fct_contact_repeats
    group by all
),

cost_spread as (
    select
        week_start,
        segment,
        region,
        plan,
        sum(cost * cost) as cost_sq_sum,
        count(*) as customers_contacting
    from customer_cost
    group by all
),

complaints as (
    select week_start, segment, region, plan, sum(complaint_count) as complaint_count
    from marts.fct_complaints_weekly
    group by all
),

revenue as (
    select
        week_start,
        segment,
        region,
        plan,
        sum(transaction_count) as transaction_count,
        sum(revenue_amount) as revenue_amount,
        sum(revenue_sq_sum) as revenue_sq_sum
    from marts.fct_revenue_weekly
    group by all
),

-- each active customer's net revenue in the week (refunds netted): active at the week's Monday
-- m <=> signup_bucket_week <= m and not churn_bucket_week <= m (see dim_customers). Customers
-- without a transaction add 0 to both sums, so with the active base they give the mean and the
-- variance of revenue per customer (a customer is one observation)
active_revenue as (
    select
        customer_revenue.week_start,
        customers.segment,
        customers.region,
        customers.plan,
        sum(customer_revenue.revenue_amount) as revenue_amount,
        sum(customer_revenue.revenue_amount * customer_revenue.revenue_amount) as revenue_sq_sum
    from marts.fct_customer_revenue_weekly as customer_revenue
    inner join marts.dim_customers as customers
        on customers.customer_key = customer_revenue.customer_key
    where
        customers.signup_bucket_week <= customer_revenue.week_start
        and (customers.churn_bucket_week is null
             or customers.churn_bucket_week > customer_revenue.week_start)
    group by all
),

sized_spread as (
    select
        cost_spread.*,
        cast(greatest(base.active_at_start, cost_spread.customers_contacting, 2) as double)
            as cluster_count
    from cost_spread
    inner join base using (week_start, segment, region, plan)
),

final as (
    select
        base.week_start,
        base.segment,
        base.region,
        base.plan,
        base.active_at_start,
        base.churned_count,
        base.churned_4w_count,
        base.signup_count,
        cast(coalesce(complaints.complaint_count, 0) as bigint) as complaint_count,
        cast(coalesce(contacts.contact_count, 0) as bigint) as contact_count,
        coalesce(contacts.contact_cost, 0) as contact_cost,
        -- customer-clustered variance of the cost, n / (n - 1) x (sum x^2 - (sum x)^2 / n) with
        -- x a customer's contact cost in the week (0 without contacts) and n the cell's customers:
        -- it keeps the overdispersion of contacts that cluster by customer
        coalesce(greatest(
            cost_spread.cluster_count / (cost_spread.cluster_count - 1)
            * (cost_spread.cost_sq_sum
               - contacts.contact_cost * contacts.contact_cost / cost_spread.cluster_count),
            0
        ), 0) as contact_cost_var,
        -- sum x^2 alone: summed over the selected cells it gives the pooled variance over their
        -- customers (the cells' mix is drawn with the customers, not fixed by design)
        coalesce(cost_spread.cost_sq_sum, 0) as contact_cost_sq_sum,
        cast(coalesce(revenue.transaction_count, 0) as bigint) as transaction_count,
        coalesce(revenue.revenue_amount, 0) as revenue_amount,
        coalesce(revenue.revenue_sq_sum, 0) as revenue_sq_sum,
        coalesce(active_revenue.revenue_amount, 0) as active_revenue_amount,
        coalesce(active_revenue.revenue_sq_sum, 0) as active_revenue_sq_sum
    from base
    left join contacts using (week_start, segment, region, plan)
    left join sized_spread as cost_spread using (week_start, segment, region, plan)
    left join complaints using (week_start, segment, region, plan)
    left join revenue using (week_start, segment, region, plan)
    left join active_revenue using (week_start, segment, region, plan)
)

select * from final
