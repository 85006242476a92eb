-- name: money_category_outcomes
-- purpose: Customers active at as_of by segment, region, plan, latest NPS category and recent complaint, with what they did until horizon_end (churn, exposure, revenue, complaints).
-- grain: one row per segment, region, plan, NPS category (promoter, passive, detractor, unanswered) and whether the customer complained in the 13 weeks before as_of
-- params: as_of date, horizon_end date
-- weight: customer-level
-- as_of and horizon_end are Mondays; the window is [as_of, horizon_end). With as_of = horizon_end
-- the rows are simply the active base at that date. Every column is a sum over customers, so
-- the customer filters (segment, region, plan) are applied to these rows by the caller: one
-- result per window serves every filter (dashboard.metrics.filters.Filters.narrow).
with latest_answer as (
    select customer_key, nps_category
    from marts.fct_nps_answer_spans
    where responded_at < $as_of and (next_responded_at is null or next_responded_at >= $as_of)
),

cohort as (
    select
        customer_key,
        segment,
        region,
        plan,
        -- churned in [as_of, horizon_end): not active on horizon_end (the one churn rule)
        churn_date is not null and churn_date <= $horizon_end as has_churned,
        date_diff('day', $as_of, least(coalesce(churn_date, $horizon_end), $horizon_end))
        / 365.25 as exposure_years
    from marts.dim_customers
    where
        signup_date <= $as_of
        and (churn_date is null or churn_date > $as_of)
),

revenue as (
    select
        customer_key,
        sum(revenue_amount) as revenue_amount
    from marts.fct_customer_revenue_weekly
    where week_start >= $as_of and week_start < $horizon_end
    group by customer_key
),

complaints_after as (
    select
        customer_key,
        count(*) as complaint_count,
        sum(compensation_amount) as compensation_amount
    from marts.fct_complaint_detail
    where week_start >= $as_of and week_start < $horizon_end
    group by customer_key
),

complained_before as (
    select distinct customer_key
    from marts.fct_complaint_detail
    where week_start >= cast($as_of as date) - interval 91 day and week_start < $as_of
),

joined as (
    select
        cohort.segment,
        cohort.region,
        cohort.plan,
        coalesce(latest_answer.nps_category, 'unanswered') as nps_category,
        complained_before.customer_key is not null as has_recent_complaint,
        cohort.has_churned,
        cohort.exposure_years,
        coalesce(revenue.revenue_amount, 0) as revenue_amount,
        coalesce(complaints_after.complaint_count, 0) as complaint_count,
        coalesce(complaints_after.compensation_amount, 0) as compensation_amount
    from cohort
    left join latest_answer using (customer_key)
    left join revenue using (customer_key)
    left join complaints_after using (customer_key)
    left join complained_before using (customer_key)
),

final as (
    select
        segment,
        region,
        plan,
        nps_category,
        has_recent_complaint,
        count(*) as customer_count,
        count(*) filter (where has_churned) as churned_count,
        sum(exposure_years) as exposure_years,
        sum(exposure_years * exposure_years) as exposure_sq_sum,
        sum(revenue_amount) as revenue_amount,
        sum(revenue_amount * revenue_amount) as revenue_sq_sum,
        sum(revenue_amount * exposure_years) as revenue_exposure_sum,
        sum(complaint_count) as complaint_count,
        sum(compensation_amount) as compensation_amount
    from joined
    group by segment, region, plan, nps_category, has_recent_complaint
)

select * from final
order by segment, region, plan, nps_category, has_recent_complaint
