-- name: fct_survey_weekly
-- purpose: Survey counts and score sums per week and cell, enough for every score and interval.
-- grain: one row per ISO week x segment x region x plan x survey x channel
-- params: none
with responses as (
    select * from staging.stg_survey_responses
),

customers as (
    select customer_id, segment, region, plan from marts.dim_customers
),

final as (
    select
        responses.week_start,
        customers.segment,
        customers.region,
        customers.plan,
        responses.survey,
        responses.channel,
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
    group by all
)

select * from final
