-- name: kpi_survey_weekly
-- purpose: Survey counts and score sums per week and survey for the filtered customers.
-- grain: one row per ISO week x survey (weeks without responses are absent)
-- params: start_week date, end_week date, segments varchar[], regions varchar[], plans varchar[]
-- an empty list means "all" for each customer filter
select
    week_start,
    survey,
    cast(sum(response_count) as bigint) as response_count,
    cast(sum(promoter_count) as bigint) as promoter_count,
    cast(sum(passive_count) as bigint) as passive_count,
    cast(sum(detractor_count) as bigint) as detractor_count,
    cast(sum(top2_count) as bigint) as top2_count,
    cast(sum(top3_count) as bigint) as top3_count,
    sum(score_sum) as score_sum,
    sum(score_sq_sum) as score_sq_sum
from marts.fct_survey_weekly
where
    week_start between $start_week and $end_week
    and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
    and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
    and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
group by week_start, survey
order by week_start, survey
