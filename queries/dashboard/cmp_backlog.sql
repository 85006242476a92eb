-- name: cmp_backlog
-- purpose: Complaints still open at an instant (opened before it, not resolved before it), with their age.
-- grain: one row per open complaint
-- params: as_of date
-- as_of is the Monday after the selected week: the backlog at the end of that week.
-- Every segment, region and plan: the caller keeps the filters' rows (Filters.selects), so a
-- filter change re-uses the result.
select
    complaint_id,
    customer_id,
    segment,
    region,
    plan,
    opened_at,
    severity,
    category,
    date_diff('second', opened_at, cast($as_of as timestamp)) / 3600.0 as age_hours,
    coalesce(churn_date <= $as_of, false) as has_customer_left
from marts.fct_complaint_detail
where
    opened_at < $as_of
    and (resolved_at is null or resolved_at >= $as_of)
order by opened_at, complaint_id
