-- name: cmp_grp_ops_weekly
-- purpose: Active base, churn, complaints, contact cost and revenue (total, and the active customers' own with its sum of squares) per week and customer group of one allowlisted dimension.
-- grain: one row per ISO week x group (no rows for the event dimension channel)
-- params: start_week date, end_week date, dimension varchar, segments varchar[], regions varchar[], plans varchar[]
-- dimension is a bound value chosen from an allowlist (segment, region, plan); the operational
-- KPIs count customers, so they have no per-channel group and channel yields no rows.
with cells as (
    select
        week_start,
        case $dimension
            when 'segment' then segment
            when 'region' then region
            when 'plan' then plan
        end as group_value,
        active_at_start,
        churned_count,
        churned_4w_count,
        complaint_count,
        contact_count,
        contact_cost,
        contact_cost_var,
        contact_cost_sq_sum,
        transaction_count,
        revenue_amount,
        revenue_sq_sum,
        active_revenue_amount,
        active_revenue_sq_sum
    from marts.fct_kpi_weekly
    where
        week_start between $start_week and $end_week
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
),

final as (
    select
        week_start,
        group_value,
        cast(sum(active_at_start) as bigint) as active_at_start,
        cast(sum(churned_count) as bigint) as churned_count,
        cast(sum(churned_4w_count) as bigint) as churned_4w_count,
        cast(sum(complaint_count) as bigint) as complaint_count,
        cast(sum(contact_count) as bigint) as contact_count,
        sum(contact_cost) as contact_cost,
        sum(contact_cost_var) as contact_cost_var,
        sum(contact_cost_sq_sum) as contact_cost_sq_sum,
        cast(sum(transaction_count) as bigint) as transaction_count,
        sum(revenue_amount) as revenue_amount,
        sum(revenue_sq_sum) as revenue_sq_sum,
        -- revenue per customer: Σx and Σx² over the active customers, x a customer's net
        -- revenue in the week (summing cells pools their customers)
        sum(active_revenue_amount) as active_revenue_amount,
        sum(active_revenue_sq_sum) as active_revenue_sq_sum
    from cells
    where group_value is not null
    group by week_start, group_value
)

select * from final
order by week_start, group_value
