-- name: cmp_closures
-- purpose: Resolution hours of the complaints resolved in a span of weeks and response hours of those first answered in its last weeks, with the weeks they fell in.
-- grain: one row per complaint resolved in the span or first answered in its response part (no complaint id: the page reads the hours)
-- params: start_week date, response_start_week date, end_week date
-- complaints resolved from Monday start_week, or first answered from Monday
-- response_start_week, to the end of the Sunday of end_week: the resolution trend reads the
-- whole span, the response times only its last weeks. The hours stay one per complaint: the
-- medians, P90s and their order-statistic intervals need the values.
-- Every segment, region and plan: the caller keeps the filters' rows (Filters.selects), so a
-- filter change re-uses the result.
with closures as (
    select
        segment,
        region,
        plan,
        cast(date_trunc('week', first_response_at) as date) as response_week,
        first_response_hours,
        cast(date_trunc('week', resolved_at) as date) as resolution_week,
        resolution_hours
    from marts.fct_complaint_detail
    where
        (
            (
                first_response_at >= $response_start_week
                and first_response_at < $end_week + interval 7 day
            )
            or (resolved_at >= $start_week and resolved_at < $end_week + interval 7 day)
        )
)

select * from closures
order by segment, region, plan, resolution_week, response_week
