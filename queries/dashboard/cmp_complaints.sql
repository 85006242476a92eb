-- name: cmp_complaints
-- purpose: Complaints opened per week by category and severity, with how many were resolved at first contact as known at the span's end.
-- grain: one row per segment x region x plan x ISO week x category x severity (cells without a complaint are absent)
-- params: start_week date, end_week date
-- first-contact resolution counts only when the resolution is recorded before the Monday after
-- end_week (what was known at the end of the selected week).
-- Counts only: the caller applies the customer filters to these rows (Filters.selects), so a
-- filter change re-uses the result.
with complaints as (
    select
        segment,
        region,
        plan,
        week_start,
        category,
        severity,
        coalesce(
            is_resolved_first_contact and resolved_at < $end_week + interval 7 day, false
        ) as is_first_contact_resolved
    from marts.fct_complaint_detail
    where
        week_start between $start_week and $end_week
),

final as (
    select
        segment,
        region,
        plan,
        week_start,
        category,
        severity,
        count(*) as complaint_count,
        count(*) filter (where is_first_contact_resolved) as first_contact_resolved_count
    from complaints
    group by segment, region, plan, week_start, category, severity
)

select * from final
order by segment, region, plan, week_start, category, severity
