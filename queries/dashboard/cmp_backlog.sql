-- name: cmp_backlog
-- purpose: Complaints still open at an instant (opened before it, not resolved before it), with their age.
-- grain: one row per open complaint
-- params: as_of date, segments varchar[], regions varchar[], plans varchar[]
-- as_of is the Monday after the selected week: the backlog at the end of that week
select
    complaint_id,
    customer_id,
    opened_at,
    severity,
    category,
    date_diff('second', opened_at, cast($as_of as timestamp)) / 3600.0 as age_hours,
    coalesce(churn_date <= $as_of, false) as has_customer_left
from marts.fct_complaint_detail
where
    opened_at < $as_of
    and (resolved_at is null or resolved_at >= $as_of)
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
order by opened_at, complaint_id
