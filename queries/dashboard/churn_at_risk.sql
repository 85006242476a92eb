-- name: churn_at_risk
-- purpose: Each customer profile's top at-risk customers (a recent detractor answer or an unresolved complaint) by trailing 13-week revenue, with the profile's at-risk totals.
-- grain: one row per at-risk customer among the row_limit highest trailing revenues of their segment x region x plan (ids only, no names); the profile totals repeat on each of its rows
-- params: as_of date, row_limit bigint
-- weight: customer-level
-- as_of is the Monday after the selected week. Active: signed up before as_of and not churned
-- by then (churn_date null or on/after as_of). Recent detractor: the latest relationship NPS
-- answer before as_of was given in the 13 weeks before as_of and scored 0-6. Unresolved
-- complaint: opened before as_of and not resolved before it. Trailing revenue: net
-- transactions in the 13 ISO weeks ending with the selected week. Every segment, region and
-- plan: the caller keeps the filters' profiles (Filters.selects), so a filter change re-uses it.
-- Why per profile: the top row_limit customers of any set of profiles (a filter) are among
-- the top row_limit of their own profile, so the list shown is exact without every at-risk
-- customer leaving the warehouse; the profile totals (counted over all of its at-risk
-- customers, before the cut) give the filters' counts and revenue by summing the profiles.
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

flagged as (
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
),

at_risk as (
    select * from flagged
    where is_recent_detractor or open_complaint_count > 0
),

-- the totals of every at-risk customer of the profile (before the cut), and each customer's
-- rank in the profile by revenue, ties by customer_id: the order the list is shown in.
-- A subquery, not qualify: sqlglot's rewrite of qualify for PostgreSQL and Spark would repeat
-- the window columns and keep its helper column in the result.
ranked as (
    select
        *,
        count(*) over (partition by segment, region, plan) as profile_at_risk_count,
        sum(trailing_revenue) over (
            partition by segment, region, plan
        ) as profile_trailing_revenue,
        sum(case when is_recent_detractor then 1 else 0 end) over (
            partition by segment, region, plan
        ) as profile_recent_detractor_count,
        sum(case when open_complaint_count > 0 then 1 else 0 end) over (
            partition by segment, region, plan
        ) as profile_open_complaint_customer_count,
        row_number() over (
            partition by segment, region, plan order by trailing_revenue desc, customer_id
        ) as profile_revenue_rank
    from at_risk
),

final as (
    select
        customer_id,
        segment,
        region,
        plan,
        latest_nps_score,
        latest_nps_date,
        is_recent_detractor,
        open_complaint_count,
        oldest_open_complaint_date,
        trailing_revenue,
        profile_revenue_rank,
        profile_at_risk_count,
        profile_trailing_revenue,
        profile_recent_detractor_count,
        profile_open_complaint_customer_count
    from ranked
    where profile_revenue_rank <= $row_limit
)

select * from final
order by trailing_revenue desc, customer_id
