-- name: filter_options
-- purpose: The values each dimension takes: the customer filters' allowlists (segment, region, plan) and the event attributes pages split by (survey channel, touchpoint, journey stage; complaint category).
-- grain: one row per dimension and value
-- params: none
-- A dimension with fewer than two values is not offered as a filter or a split
-- (dashboard/metrics/dimensions.py).
with customers as (
    select segment, region, plan from marts.dim_customers
),

survey_splits as (
    select distinct channel, touchpoint, journey_stage from marts.fct_survey_split_weekly
),

complaint_categories as (
    select distinct category from marts.fct_complaint_detail
),

final as (
    select distinct 'segment' as dimension, segment as dimension_value from customers
    union all
    select distinct 'region', region from customers
    union all
    select distinct 'plan', plan from customers
    union all
    select distinct 'channel', channel from survey_splits
    union all
    select distinct 'touchpoint', touchpoint from survey_splits
    union all
    select distinct 'journey_stage', journey_stage from survey_splits
    union all
    select distinct 'category', category from complaint_categories
)

select * from final
where dimension_value is not null
order by dimension, dimension_value
