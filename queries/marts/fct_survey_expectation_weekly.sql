-- name: fct_survey_expectation_weekly
-- purpose: Paired perceived and expected scores (answers carrying both) per week, month and touchpoint, as sums for a paired mean and t interval.
-- grain: one row per week x month (as the warehouse counts them) x segment x region x plan x survey x scale x touchpoint
-- params: none
-- gap = perceived score - expected score on the same answer (negative: worse than expected)
with responses as (
    select * from staging.stg_survey_responses
    where expectation_score is not null
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
        responses.scale_min,
        responses.scale_max,
        coalesce(responses.touchpoint, 'not recorded') as touchpoint,
        count(*) as paired_count,
        sum(cast(responses.score as double)) as perceived_sum,
        sum(cast(responses.expectation_score as double)) as expected_sum,
        sum(cast(responses.score - responses.expectation_score as double)) as gap_sum,
        sum(
            cast(responses.score - responses.expectation_score as double)
            * (responses.score - responses.expectation_score)
        ) as gap_sq_sum
    from responses
    inner join customers using (customer_id)
    left join staging.stg_calendar_days as days
        on days.day = cast(responses.responded_at as date)
    group by all
)

select * from final
