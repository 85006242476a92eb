-- name: fct_cohort_retention
-- purpose: Signup-month cohorts and how many of each are still active k month starts after signup.
-- grain: one row per signup month x months since signup (k >= 0) x segment x region x plan
-- params: none
-- cohorts: signup months that start inside the data (older customers are only seen if they
-- survived to the first week, so their cohorts would be biased upwards). Age k is the k-th
-- month start after the signup month (k = 0: the signup month's own first day, the whole
-- cohort by definition); a customer is active at k >= 1 when churn_date is null or later than
-- that date (the one churn rule of the README's "Metric definitions").
with bounds as (
    select
        min(week_start) as first_day,
        max(week_end) as last_day
    from marts.dim_weeks
),

first_cohort as (
    select
        cast(date_trunc('month', first_day - interval 1 day) + interval 1 month as date)
            as cohort_floor,
        last_day
    from bounds
),

ages as (
    select unnest(range(0, date_diff('month', cohort_floor, last_day) + 1)) as months_since_signup
    from first_cohort
),

cohort_customers as (
    select
        customers.segment,
        customers.region,
        customers.plan,
        cast(date_trunc('month', customers.signup_date) as date) as cohort_month,
        -- the first month start on or after the churn date is the first one they miss
        date_diff(
            'month',
            cast(date_trunc('month', customers.signup_date) as date),
            cast(date_trunc('month', customers.churn_date - interval 1 day) + interval 1 month
                as date)
        ) as lost_at_age
    from marts.dim_customers as customers, first_cohort
    where customers.signup_date >= first_cohort.cohort_floor
),

final as (
    select
        cohort_customers.cohort_month,
        ages.months_since_signup,
        cast(cohort_customers.cohort_month + to_months(ages.months_since_signup) as date)
            as boundary_date,
        cohort_customers.segment,
        cohort_customers.region,
        cohort_customers.plan,
        count(*) as cohort_size,
        count(*) filter (
            where ages.months_since_signup = 0
            or cohort_customers.lost_at_age is null
            or cohort_customers.lost_at_age > ages.months_since_signup
        ) as active_count
    from cohort_customers
    cross join ages
    cross join first_cohort
    where cohort_customers.cohort_month + to_months(ages.months_since_signup)
        <= first_cohort.last_day
    group by all
)

select * from final
order by cohort_month, months_since_signup, segment, region, plan
