-- name: churn_cohorts
-- purpose: Signup-month cohort sizes and how many are still active k month starts after signup, for the filtered customers.
-- grain: one row per signup month x months since signup
-- params: period_end date, segments varchar[], regions varchar[], plans varchar[]
-- only cohorts whose signup month ended by period_end (the Monday after the selected week)
-- and month starts before period_end are observed; k = 0 is the whole cohort (100%)
select
    cohort_month,
    months_since_signup,
    cast(sum(cohort_size) as bigint) as cohort_size,
    cast(sum(active_count) as bigint) as active_count
from marts.fct_cohort_retention
where
    cohort_end <= $period_end
    and boundary_date < $period_end
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
group by cohort_month, months_since_signup
order by cohort_month, months_since_signup
