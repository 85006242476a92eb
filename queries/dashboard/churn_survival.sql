-- name: churn_survival
-- purpose: Survival input: customers active at a window start by NPS category and open-complaint status, with the week they churned or were censored.
-- grain: one row per segment x region x plan x split x group x duration in weeks x event flag
-- params: window_start date, window_end date
-- weight: customer-level
-- cohort: customers active at window_start (a Monday). Week k of follow-up covers churn
-- dates in (window_start + 7(k-1) days, window_start + 7k days] (active at a Monday m means
-- churn_date > m); customers not churned by window_end are censored at the window length.
-- nps_category: the latest relationship NPS answer before window_start ('no_answer' if none).
-- complaint_status: 'open' when a complaint opened before window_start was not resolved
-- before it (resolved later or never), else 'none'. Counts only: the caller applies the
-- customer filters to these rows (Filters.narrow), so a filter change re-uses them.
with cohort as (
    select customer_key, segment, region, plan, churn_date
    from marts.dim_customers
    where
        signup_date <= $window_start
        and (churn_date is null or churn_date > $window_start)
),

latest_answer as (
    select customer_key, nps_category
    from marts.fct_nps_answer_spans
    where
        responded_at < $window_start
        and (next_responded_at is null or next_responded_at >= $window_start)
),

open_complaint as (
    select distinct customer_key
    from marts.fct_complaint_detail
    where
        opened_at < $window_start
        and (resolved_at is null or resolved_at >= $window_start)
),

timed as (
    select
        cohort.customer_key,
        cohort.segment,
        cohort.region,
        cohort.plan,
        coalesce(latest_answer.nps_category, 'no_answer') as nps_category,
        case when open_complaint.customer_key is null then 'none' else 'open' end
            as complaint_status,
        coalesce(cohort.churn_date <= $window_end, false) as is_churned,
        case
            when cohort.churn_date <= $window_end
                then cast(ceil(date_diff('day', $window_start, cohort.churn_date) / 7.0) as integer)
            else cast(ceil(date_diff('day', $window_start, $window_end) / 7.0) as integer)
        end as duration_weeks
    from cohort
    left join latest_answer using (customer_key)
    left join open_complaint using (customer_key)
),

final as (
    select segment, region, plan, 'nps_category' as split, nps_category as group_name,
        duration_weeks, is_churned, count(*) as customer_count
    from timed
    group by all
    union all
    select segment, region, plan, 'complaint_status', complaint_status, duration_weeks,
        is_churned, count(*)
    from timed
    group by all
)

select * from final
order by segment, region, plan, split, group_name, duration_weeks, is_churned
