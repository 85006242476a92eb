-- name: fct_survey_responses
-- purpose: Each survey response with its customer's segment, region and plan (for drill-down and linkage).
-- grain: one row per survey response
-- params: none
with responses as (
    select * from staging.stg_survey_responses
),

customers as (
    select customer_key, customer_id, segment, region, plan from marts.dim_customers
),

final as (
    select
        responses.response_id,
        responses.customer_id,
        customers.customer_key,
        responses.responded_at,
        responses.week_start,
        responses.survey,
        responses.score,
        responses.scale_min,
        responses.scale_max,
        responses.expectation_score,
        responses.journey_stage,
        responses.touchpoint,
        responses.channel,
        responses.agent_id,
        responses.store_id,
        responses.comment,
        case
            when responses.survey <> 'nps' then null
            when responses.score >= 9 then 'promoter'
            when responses.score >= 7 then 'passive'
            else 'detractor'
        end as nps_category,
        customers.segment,
        customers.region,
        customers.plan
    from responses
    inner join customers using (customer_id)
)

select * from final
