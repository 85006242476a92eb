-- name: kpi_ops_weekly
-- purpose: Active base, churn, complaints, contact cost and revenue per week for the filtered customers.
-- grain: one row per ISO week
-- params: start_week date, end_week date, segments varchar[], regions varchar[], plans varchar[]
-- an empty list means "all" for each customer filter
select
    week_start,
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
    sum(revenue_sq_sum) as revenue_sq_sum
from marts.fct_kpi_weekly
where
    week_start between $start_week and $end_week
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
group by week_start
order by week_start
