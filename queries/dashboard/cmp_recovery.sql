-- name: cmp_recovery
-- purpose: Service recovery: 90-day retention and the next NPS answer of complainants by resolution speed, and of customers without a complaint.
-- grain: one row per segment x region x plan x recovery group (within_48h, later, never, no_complaint)
-- params: cohort_start date, cohort_end date, as_of date
-- weight: customer-level
-- complainants: each filtered customer's first complaint opened in [cohort_start, cohort_end),
-- grouped by its resolution as known at as_of (the Monday after the selected week): within
-- 48 hours of opening, later, or never (still open). Index date = the complaint's opening.
-- no_complaint: customers active at cohort_end who opened no complaint in the cohort window
-- and had none open at cohort_end; index date = cohort_end.
-- retained: still active 90 days after the index date (churn_date null or later than index + 90
-- days). Next NPS: the first relationship NPS answer after the index date and before as_of.
-- Counts only: the caller applies the customer filters to these rows (Filters.narrow).
with customers as (
    select customer_key, segment, region, plan, signup_date, churn_date
    from marts.dim_customers
),

window_complaints as (
    select
        complaints.customer_key,
        arg_min(complaints.opened_at, complaints.opened_at) as opened_at,
        arg_min(complaints.resolved_at, complaints.opened_at) as resolved_at,
        arg_min(complaints.resolution_hours, complaints.opened_at) as resolution_hours
    from marts.fct_complaint_detail as complaints
    inner join customers using (customer_key)
    where complaints.opened_at >= $cohort_start and complaints.opened_at < $cohort_end
    group by complaints.customer_key
),

open_at_cohort_end as (
    select distinct customer_key
    from marts.fct_complaint_detail
    where
        opened_at < $cohort_end
        and (resolved_at is null or resolved_at >= $cohort_end)
),

complainants as (
    select
        customer_key,
        opened_at as index_at,
        case
            when resolved_at is not null and resolved_at < $as_of and resolution_hours <= 48
                then 'within_48h'
            when resolved_at is not null and resolved_at < $as_of then 'later'
            else 'never'
        end as recovery_group
    from window_complaints
),

others as (
    select
        customers.customer_key,
        cast($cohort_end as timestamp) as index_at,
        'no_complaint' as recovery_group
    from customers
    where
        customers.signup_date <= $cohort_end
        and (customers.churn_date is null or customers.churn_date > $cohort_end)
        and customers.customer_key not in (select customer_key from window_complaints)
        and customers.customer_key not in (select customer_key from open_at_cohort_end)
),

indexed as (
    select * from complainants
    union all
    select * from others
),

next_answer as (
    select
        indexed.customer_key,
        arg_min(responses.nps_category, responses.responded_at) as nps_category
    from indexed
    inner join marts.fct_survey_responses as responses
        on responses.customer_key = indexed.customer_key
        and responses.responded_at > indexed.index_at
        and responses.responded_at < $as_of
    where responses.survey = 'nps'
    group by indexed.customer_key
),

final as (
    select
        customers.segment,
        customers.region,
        customers.plan,
        indexed.recovery_group,
        count(*) as customer_count,
        count(*) filter (
            where customers.churn_date is null
            or customers.churn_date > cast(indexed.index_at as date) + 90
        ) as retained_count,
        count(next_answer.nps_category) as nps_count,
        count(*) filter (where next_answer.nps_category = 'promoter') as promoter_count,
        count(*) filter (where next_answer.nps_category = 'passive') as passive_count,
        count(*) filter (where next_answer.nps_category = 'detractor') as detractor_count
    from indexed
    inner join customers using (customer_key)
    left join next_answer using (customer_key)
    group by all
)

select * from final
order by segment, region, plan, recovery_group
