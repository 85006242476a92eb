-- name: sat_score_distribution
-- purpose: How many answers gave each score in the selected and the comparison week, for the filtered customers.
-- grain: one row per ISO week (of the two) x survey x scale x score (scores nobody gave are absent)
-- params: week_start date, compare_start date, segments varchar[], regions varchar[], plans varchar[]
-- an empty list means "all" for each customer filter
select
    week_start,
    survey,
    scale_min,
    scale_max,
    score,
    cast(sum(response_count) as bigint) as response_count
from marts.fct_survey_score_counts_weekly
where
    (week_start = $week_start or week_start = $compare_start)
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
group by all
order by week_start, survey, scale_min, scale_max, score
