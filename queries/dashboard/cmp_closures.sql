-- name: cmp_closures
-- purpose: Complaints first answered or resolved in a span of weeks, with their response and resolution hours.
-- grain: one row per complaint answered or resolved in the span
-- params: start_week date, end_week date, segments varchar[], regions varchar[], plans varchar[]
-- the span runs from Monday start_week to the end of the Sunday of end_week
select
    complaint_id,
    cast(date_trunc('week', first_response_at) as date) as response_week,
    first_response_hours,
    cast(date_trunc('week', resolved_at) as date) as resolution_week,
    resolution_hours
from marts.fct_complaint_detail
where
    (
        (first_response_at >= $start_week and first_response_at < $end_week + interval 7 day)
        or (resolved_at >= $start_week and resolved_at < $end_week + interval 7 day)
    )
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
order by complaint_id
