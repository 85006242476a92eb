-- name: sat_scores_trend
-- purpose: Survey counts and score sums per week, calendar month and group of one allowlisted split dimension, for the filtered customers.
-- grain: one row per ISO week x calendar month x group x survey (a week straddling two months gives two rows)
-- params: week_from date, week_to date, month_from date, month_to date, dimension varchar, segments varchar[], regions varchar[], plans varchar[]
-- dimension is a bound value from the page's allowlist (segment, region, plan, journey_stage,
-- touchpoint, channel), never an identifier. The caller sums rows to weeks or to calendar months;
-- both date ranges apply, so a monthly view stops at the selected week. Empty list = all.
with cells as (
    select
        week_start,
        month_start,
        survey,
        case cast($dimension as varchar)
            when 'segment' then segment
            when 'region' then region
            when 'plan' then plan
            when 'journey_stage' then journey_stage
            when 'touchpoint' then touchpoint
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
    from marts.fct_survey_split_weekly
    where
        week_start between $week_from and $week_to
        and month_start between $month_from and $month_to
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
),

final as (
    select
        week_start,
        month_start,
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
    group by all
)

select * from final
order by week_start, month_start, group_value, survey
