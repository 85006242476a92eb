-- name: cmp_grp_survey_weekly
-- purpose: Survey counts and score sums per week, survey and group of one allowlisted dimension, for the filtered customers.
-- grain: one row per ISO week x group x survey (weeks and groups without responses are absent)
-- params: start_week date, end_week date, dimension varchar, segments varchar[], regions varchar[], plans varchar[]
-- dimension is a bound value chosen from an allowlist (segment, region, plan, channel), never an
-- identifier; channel is the survey channel. An empty list means "all" for each customer filter.
with cells as (
    select
        week_start,
        survey,
        case $dimension
            when 'segment' then segment
            when 'region' then region
            when 'plan' then plan
            when 'channel' then channel
        end as group_value,
        response_count,
        promoter_count,
        passive_count,
        detractor_count,
        top2_count,
        top3_count,
        score_sum,
        score_sq_sum
    from marts.fct_survey_weekly
    where
        week_start between $start_week and $end_week
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
),

final as (
    select
        week_start,
        group_value,
        survey,
        cast(sum(response_count) as bigint) as response_count,
        cast(sum(promoter_count) as bigint) as promoter_count,
        cast(sum(passive_count) as bigint) as passive_count,
        cast(sum(detractor_count) as bigint) as detractor_count,
        cast(sum(top2_count) as bigint) as top2_count,
        cast(sum(top3_count) as bigint) as top3_count,
        sum(score_sum) as score_sum,
        sum(score_sq_sum) as score_sq_sum
    from cells
    where group_value is not null
    group by week_start, group_value, survey
)

select * from final
order by week_start, group_value, survey
