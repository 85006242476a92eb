-- name: cmp_complaints
-- purpose: Complaints opened in a span of weeks for the filtered customers, with first-contact resolution as known at the span's end.
-- grain: one row per complaint
-- params: start_week date, end_week date
-- first-contact resolution counts only when the resolution is recorded before the Monday after
-- end_week (what was known at the end of the selected week).
-- Every segment, region and plan: the caller keeps the filters' rows (Filters.selects), so a
-- filter change re-uses the result.
select
    complaint_id,
    customer_id,
    segment,
    region,
    plan,
    week_start,
    opened_at,
    category,
    severity,
    coalesce(
        is_resolved_first_contact and resolved_at < $end_week + interval 7 day, false
    ) as is_first_contact_resolved,
    compensation_amount
from marts.fct_complaint_detail
where
    week_start between $start_week and $end_week
order by opened_at, complaint_id
