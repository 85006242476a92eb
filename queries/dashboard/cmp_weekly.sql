-- name: cmp_weekly
-- purpose: Complaints opened, compensation paid and the active base per week for the filtered customers.
-- grain: one row per ISO week
-- params: start_week date, end_week date, segments varchar[], regions varchar[], plans varchar[]
-- an empty list means "all" for each customer filter
with base as (
    select
        week_start,
        cast(sum(active_at_start) as bigint) as active_at_start
    from marts.fct_customer_base_weekly
    where
        week_start between $start_week and $end_week
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
    group by week_start
),

complaints as (
    select
        week_start,
        count(*) as complaint_count,
        count(*) filter (where compensation_amount > 0) as compensated_count,
        sum(compensation_amount) as compensation_amount,
        sum(compensation_amount * compensation_amount) as compensation_sq_sum
    from marts.fct_complaint_detail
    where
        week_start between $start_week and $end_week
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
    group by week_start
),

final as (
    select
        base.week_start,
        base.active_at_start,
        cast(coalesce(complaints.complaint_count, 0) as bigint) as complaint_count,
        cast(coalesce(complaints.compensated_count, 0) as bigint) as compensated_count,
        coalesce(complaints.compensation_amount, 0) as compensation_amount,
        coalesce(complaints.compensation_sq_sum, 0) as compensation_sq_sum
    from base
    left join complaints using (week_start)
)

select * from final
order by week_start
