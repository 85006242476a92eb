-- name: cmp_repeat_complainants
-- purpose: Customers who opened complaints in a span of weeks, by how many complaints each opened.
-- grain: one row per segment x region x plan x number of complaints a customer opened (complaint_count)
-- params: start_week date, end_week date
-- weight: customer-level
-- A customer's segment, region and plan do not change, so the caller narrows these counts to
-- the filters (Filters.selects) and a filter change re-uses the result.
with per_customer as (
    select
        customer_key,
        segment,
        region,
        plan,
        count(*) as complaint_count
    from marts.fct_complaint_detail
    where
        week_start between $start_week and $end_week
    group by customer_key, segment, region, plan
),

final as (
    select
        segment,
        region,
        plan,
        complaint_count,
        count(*) as customer_count
    from per_customer
    group by segment, region, plan, complaint_count
)

select * from final
order by segment, region, plan, complaint_count
