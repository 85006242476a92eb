-- name: fct_kpi_weekly
-- purpose: The operational KPI inputs per week and customer cell: base, churn, complaints, cost, revenue.
-- grain: one row per ISO week x segment x region x plan
-- params: none
with base as (
    select * from marts.fct_customer_base_weekly
),

contacts as (
    select
        week_start,
        segment,
        region,
        plan,
        sum(contact_count) as contact_count,
        sum(contact_cost) as contact_cost,
        -- quasi-Poisson variance of the cost: sum over channels of count x unit cost squared
        sum(contact_count * cost_per_contact * cost_per_contact) as contact_cost_var
    from marts.fct_contacts_weekly
    group by all
),

complaints as (
    select week_start, segment, region, plan, sum(complaint_count) as complaint_count
    from marts.fct_complaints_weekly
    group by all
),

revenue as (
    select
        week_start,
        segment,
        region,
        plan,
        sum(transaction_count) as transaction_count,
        sum(revenue_amount) as revenue_amount,
        sum(revenue_sq_sum) as revenue_sq_sum
    from marts.fct_revenue_weekly
    group by all
),

final as (
    select
        base.week_start,
        base.segment,
        base.region,
        base.plan,
        base.active_at_start,
        base.churned_count,
        base.churned_4w_count,
        base.signup_count,
        cast(coalesce(complaints.complaint_count, 0) as bigint) as complaint_count,
        cast(coalesce(contacts.contact_count, 0) as bigint) as contact_count,
        coalesce(contacts.contact_cost, 0) as contact_cost,
        coalesce(contacts.contact_cost_var, 0) as contact_cost_var,
        cast(coalesce(revenue.transaction_count, 0) as bigint) as transaction_count,
        coalesce(revenue.revenue_amount, 0) as revenue_amount,
        coalesce(revenue.revenue_sq_sum, 0) as revenue_sq_sum
    from base
    left join contacts using (week_start, segment, region, plan)
    left join complaints using (week_start, segment, region, plan)
    left join revenue using (week_start, segment, region, plan)
)

select * from final
