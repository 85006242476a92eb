-- name: churn_at_risk
-- purpose: Active customers at risk (a recent detractor answer or an unresolved complaint) with their trailing 13-week revenue.
-- grain: one row per at-risk customer (ids only, no names)
-- params: as_of date
-- weight: customer-level
-- as_of is the Monday after the selected week. Active: signed up before as_of and not churned
-- by then (churn_date null or on/after as_of). Recent detractor: the latest relationship NPS
-- answer before as_of was given in the 13 weeks before as_of and scored 0-6. Unresolved
-- complaint: opened before as_of and not resolved before it. Trailing revenue: net
-- transactions in the 13 ISO weeks ending with the selected week. Every segment, region and
-- plan: the caller keeps the filters' customers (Filters.selects), so a filter change re-uses it.
with active as (
    select customer_key, customer_id, segment, region, plan
    from marts.dim_customers
    where
        signup_date < $as_of
        and (churn_date is null or churn_date >= $as_of)
),

latest_answer as (
    select customer_key, score as nps_score, responded_at as answered_at
    from marts.fct_nps_answer_spans
    where responded_at < $as_of and (next_responded_at is null or next_responded_at >= $as_of)
),

open_complaints as (
    select
        customer_key,
        count(*) as open_complaint_count,
        min(opened_at) as oldest_open_at
    from marts.fct_complaint_detail
    where opened_at < $as_of and (resolved_at is null or resolved_at >= $as_of)
    group by customer_key
),

revenue as (
    select customer_key, sum(revenue_amount) as trailing_revenue
    from marts.fct_customer_revenue_weekly
    where week_start >= $as_of - interval 91 day and week_start < $as_of
    group by customer_key
),

final as (
    select
        active.customer_id,
        active.segment,
        active.region,
        active.plan,
        latest_answer.nps_score as latest_nps_score,
        cast(latest_answer.answered_at as date) as latest_nps_date,
        coalesce(
            latest_answer.nps_score <= 6
            and latest_answer.answered_at >= $as_of - interval 91 day,
            false
        ) as is_recent_detractor,
        cast(coalesce(open_complaints.open_complaint_count, 0) as bigint) as open_complaint_count,
        cast(open_complaints.oldest_open_at as date) as oldest_open_complaint_date,
        coalesce(revenue.trailing_revenue, 0) as trailing_revenue
    from active
    left join latest_answer using (customer_key)
    left join open_complaints using (customer_key)
    left join revenue using (customer_key)
)

select * from final
where is_recent_detractor or open_complaint_count > 0
order by trailing_revenue desc, customer_id
