-- name: churn_monthly
-- purpose: Monthly logo and revenue-weighted churn inputs per segment for the filtered customers.
-- grain: one row per calendar month x segment
-- params: start_month date, period_end date, segments varchar[], regions varchar[], plans varchar[]
-- months from start_month whose last day falls before period_end (the Monday after the
-- selected week); revenue is the trailing 3-month revenue at the month start
select
    month_start,
    segment,
    bool_and(revenue_history_complete) as revenue_history_complete,
    cast(sum(active_at_start) as bigint) as active_at_start,
    cast(sum(churned_count) as bigint) as churned_count,
    sum(revenue_at_start) as revenue_at_start,
    sum(revenue_churned) as revenue_churned,
    sum(revenue_sq_at_start) as revenue_sq_at_start,
    sum(revenue_sq_churned) as revenue_sq_churned
from marts.fct_churn_monthly
where
    month_start >= $start_month
    and next_month_start <= $period_end
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
group by month_start, segment
order by month_start, segment
