-- name: cost_by_segment
-- purpose: Active base, contacts and contact cost (with its customer-clustered variance summed over cells) per segment in two weeks, for the filtered customers.
-- grain: one row per segment x week (the selected and the comparison week)
-- params: week_start date, compare_start date, segments varchar[], regions varchar[], plans varchar[]
-- an empty list means "all" for each customer filter
select
    segment,
    week_start,
    cast(sum(active_at_start) as bigint) as active_at_start,
    cast(sum(contact_count) as bigint) as contact_count,
    sum(contact_cost) as contact_cost,
    sum(contact_cost_var) as contact_cost_var
from marts.fct_kpi_weekly
where
    week_start in ($week_start, $compare_start)
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
group by segment, week_start
order by segment, week_start
