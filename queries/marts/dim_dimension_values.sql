-- name: dim_dimension_values
-- purpose: The values each dimension takes in the data: customer segment, region and plan; survey channel, touchpoint and journey stage; complaint category. Built once, so the filter bar and the one-value rule read a few rows.
-- grain: one row per dimension and value
-- params: none
-- A dimension with fewer than two values is a single group: no filter, split or comparison by
-- it (dashboard/metrics/dimensions.py). Answers without a channel, touchpoint or journey stage
-- count as 'not recorded', as in fct_survey_split_weekly.
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
