-- name: fct_survey_split_weekly
-- purpose: Survey counts and score sums per week and calendar month with every split dimension, for trends and movers by group.
-- grain: one row per week x month (as the warehouse counts them) x segment x region x plan x survey x journey stage x touchpoint x channel
-- params: none
-- a week that straddles two months is split in two rows, so weeks and calendar months both add up
with responses as (
    select * from staging.stg_survey_responses
),

customers as (
    select customer_id, segment, region, plan from marts.dim_customers
),

final as (
    select
        responses.week_start,
        -- the month as the warehouse counts months (Gregorian, or Jalali)
        coalesce(days.month_start, cast(date_trunc('month', responses.responded_at) as date))
            as month_start,
        customers.segment,
        customers.region,
        customers.plan,
        responses.survey,
        -- event attributes may be missing in a source: kept as their own group, never dropped
        coalesce(responses.journey_stage, 'not recorded') as journey_stage,
        coalesce(responses.touchpoint, 'not recorded') as touchpoint,
        coalesce(responses.channel, 'not recorded') as channel,
        count(*) as response_count,
        count(*) filter (where responses.is_promoter) as promoter_count,
        count(*) filter (where responses.is_passive) as passive_count,
        count(*) filter (where responses.is_detractor) as detractor_count,
        count(*) filter (where responses.is_top2) as top2_count,
        count(*) filter (where responses.is_top3) as top3_count,
        sum(cast(responses.score as double)) as score_sum,
        sum(cast(responses.score as double) * responses.score) as score_sq_sum
    from responses
    inner join customers using (customer_id)
    left join staging.stg_calendar_days as days
        on days.day = cast(responses.responded_at as date)
    group by all
)

select * from final
