-- name: fct_cohort_retention
-- purpose: Signup-month cohorts and how many of each are still active k month starts after signup.
-- grain: one row per signup month (Gregorian, or Jalali as the warehouse counts months) x months since signup (k >= 0) x segment x region x plan
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

-- the months as the warehouse counts them (Gregorian, or Jalali), numbered in order
calendar_months as (
    select distinct month_start, next_month_start, month_index
    from staging.stg_calendar_days
),

-- the first cohort: the first month starting on or after the first day
first_cohort as (
    select
        before_first.next_month_start as cohort_floor,
        before_first.month_index + 1 as floor_index,
        bounds.last_day,
        last_month.month_index as last_index
    from bounds
    inner join staging.stg_calendar_days as before_first
        on before_first.day = bounds.first_day - 1
    inner join staging.stg_calendar_days as last_month on last_month.day = bounds.last_day
),

ages as (
    select unnest(range(0, last_index - floor_index + 1)) as months_since_signup
    from first_cohort
),

cohort_customers as (
    select
        customers.segment,
        customers.region,
        customers.plan,
        signup_month.month_start as cohort_month,
        signup_month.next_month_start as cohort_end,
        signup_month.month_index as cohort_index,
        -- the first month start on or after the churn date is the first one they miss
        before_churn.month_index + 1 - signup_month.month_index as lost_at_age
    from marts.dim_customers as customers
    cross join first_cohort
    inner join staging.stg_calendar_days as signup_month
        on signup_month.day = customers.signup_date
    left join staging.stg_calendar_days as before_churn
        on before_churn.day = customers.churn_date - 1
    where customers.signup_date >= first_cohort.cohort_floor
),

final as (
    select
        cohort_customers.cohort_month,
        -- the cohort's signup month ends the day before this (its next month start)
        cohort_customers.cohort_end,
        ages.months_since_signup,
        boundary.month_start as boundary_date,
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
    inner join calendar_months as boundary
        on boundary.month_index = cohort_customers.cohort_index + ages.months_since_signup
    cross join first_cohort
    where boundary.month_start <= first_cohort.last_day
    group by all
)

select * from final
order by cohort_month, months_since_signup, segment, region, plan
