-- name: cmp_grp_options
-- purpose: The groups each comparison dimension offers: customer segment, region, plan and survey channel.
-- grain: one row per dimension and value
-- params: none
-- channel is the channel a survey answer came through (the only per-channel KPIs are scores)
with customers as (
    select segment, region, plan from marts.dim_customers
),

survey_channels as (
    select distinct channel from marts.fct_survey_weekly
),

final as (
    select distinct 'segment' as dimension, segment as dimension_value from customers
    union all
    select distinct 'region', region from customers
    union all
    select distinct 'plan', plan from customers
    union all
    select 'channel', channel from survey_channels
)

select * from final
order by dimension, dimension_value
