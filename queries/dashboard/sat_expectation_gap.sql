-- name: sat_expectation_gap
-- purpose: Paired perceived-minus-expected sums per survey, scale and touchpoint over a window of weeks and months, for the filtered customers.
-- grain: one row per survey x scale x touchpoint (touchpoints without paired answers are absent)
-- params: week_from date, week_to date, month_from date, month_to date, segments varchar[], regions varchar[], plans varchar[]
-- both date ranges apply (the same window as the trend); an empty list means "all"
select
    survey,
    scale_min,
    scale_max,
    touchpoint,
    cast(sum(paired_count) as bigint) as paired_count,
    sum(perceived_sum) as perceived_sum,
    sum(expected_sum) as expected_sum,
    sum(gap_sum) as gap_sum,
    sum(gap_sq_sum) as gap_sq_sum
from marts.fct_survey_expectation_weekly
where
    week_start between $week_from and $week_to
    and month_start between $month_from and $month_to
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
group by all
order by survey, scale_min, scale_max, touchpoint
