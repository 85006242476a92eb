-- name: fct_survey_score_counts_weekly
-- purpose: How many answers gave each score, per week and customer cell, for score distributions.
-- grain: one row per ISO week x segment x region x plan x survey x scale x score
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
        responses.scale_min,
        responses.scale_max,
        responses.score,
        count(*) as response_count
    from responses
    inner join customers using (customer_id)
    group by all
)

select * from final
