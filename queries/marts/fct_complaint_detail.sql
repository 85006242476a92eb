-- name: fct_complaint_detail
-- purpose: Each complaint with its customer's cell, timings, 48-hour flag and the customer's churn date.
-- grain: one row per complaint
-- params: none
with complaints as (
    select * from staging.stg_complaints
),

customers as (
    select customer_key, customer_id, segment, region, plan, churn_date from marts.dim_customers
),

final as (
    select
        complaints.complaint_id,
        complaints.customer_id,
        customers.customer_key,
        customers.segment,
        customers.region,
        customers.plan,
        customers.churn_date,
        complaints.week_start,
        complaints.opened_at,
        complaints.first_response_at,
        complaints.resolved_at,
        complaints.first_response_hours,
        complaints.resolution_hours,
        complaints.channel,
        complaints.category,
        complaints.severity,
        complaints.contacts_count,
        complaints.is_resolved_first_contact,
        coalesce(complaints.compensation_amount, 0) as compensation_amount,
        -- service recovery: resolved within 48 hours of opening
        coalesce(complaints.resolution_hours <= 48, false) as is_resolved_within_48h
    from complaints
    inner join customers using (customer_id)
)

select * from final
