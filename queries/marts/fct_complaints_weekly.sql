-- name: fct_complaints_weekly
-- purpose: Complaints opened per week and cell, with resolution and compensation totals.
-- grain: one row per ISO week x segment x region x plan x channel
-- params: none
with complaints as (
    select * from staging.stg_complaints
),

customers as (
    select customer_id, segment, region, plan from marts.dim_customers
),

final as (
    select
        complaints.week_start,
        customers.segment,
        customers.region,
        customers.plan,
        complaints.channel,
        count(*) as complaint_count,
        count(*) filter (where complaints.resolved_at is not null) as resolved_count,
        count(*) filter (where complaints.is_resolved_first_contact) as first_contact_count,
        sum(complaints.compensation_amount) as compensation_amount
    from complaints
    inner join customers using (customer_id)
    group by all
)

select * from final
