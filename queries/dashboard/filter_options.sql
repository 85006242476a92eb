-- name: filter_options
-- purpose: The values each dimension takes: the customer filters' allowlists (segment, region, plan) and the event attributes pages split by (survey channel, touchpoint, journey stage; complaint category).
-- grain: one row per dimension and value
-- params: none
-- A dimension with fewer than two values is not offered as a filter or a split
-- (dashboard/metrics/dimensions.py).
with dimension_values as (
    select dimension, dimension_value from marts.dim_dimension_values
),

final as (
    select dimension, dimension_value from dimension_values
)

select * from final
order by dimension, dimension_value
