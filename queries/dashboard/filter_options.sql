-- name: filter_options
-- purpose: The values each customer filter can take (the allowlist for segment, region, plan).
-- grain: one row per dimension and value
-- params: none
with customers as (
    select segment, region, plan from marts.dim_customers
),

final as (
    select distinct 'segment' as dimension, segment as dimension_value from customers
    union all
    select distinct 'region', region from customers
    union all
    select distinct 'plan', plan from customers
)

select * from final
order by dimension, dimension_value
