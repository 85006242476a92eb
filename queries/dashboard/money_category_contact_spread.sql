-- name: money_category_contact_spread
-- purpose: Customer-level sums behind the customer-clustered error of contact cost per customer-year: each customer's contacts in [as_of, horizon_end) priced at given unit costs, with their exposure.
-- grain: one row per segment, region, plan and NPS category (promoter, passive, detractor, unanswered)
-- params: as_of date, horizon_end date, channels varchar[], prices double[]
-- weight: customer-level
-- The cohort is money_category_outcomes' (customers active at as_of, exposure until churn or
-- horizon_end); a channel missing from channels costs 0. With x a customer's priced contact
-- cost in the window (0 without contacts) and e the customer's exposure in years, the rows hold
-- sum x, sum x^2, sum x e, sum e^2 and sum e, so the ratio r = sum x / sum e has the delta-method
-- (customers as clusters) standard error sqrt(sum x^2 - 2 r sum x e + r^2 sum e^2) / sum e.
-- Sums only: the caller applies the customer filters to these rows (Filters.narrow).
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
        date_diff('day', $as_of, least(coalesce(churn_date, $horizon_end), $horizon_end))
        / 365.25 as exposure_years
    from marts.dim_customers
    where
        signup_date <= $as_of
        and (churn_date is null or churn_date > $as_of)
),

priced as (
    select
        customer_key,
        sum(coalesce(
            (cast($prices as double[]))[array_position(cast($channels as varchar[]), channel)],
            0)) as contact_cost
    from marts.fct_contact_repeats
    where week_start >= $as_of and week_start < $horizon_end
    group by customer_key
),

joined as (
    select
        cohort.segment,
        cohort.region,
        cohort.plan,
        coalesce(latest_answer.nps_category, 'unanswered') as nps_category,
        cohort.exposure_years,
        coalesce(priced.contact_cost, 0) as contact_cost
    from cohort
    left join latest_answer using (customer_key)
    left join priced using (customer_key)
),

final as (
    select
        segment,
        region,
        plan,
        nps_category,
        count(*) as customer_count,
        sum(contact_cost) as contact_cost,
        sum(contact_cost * contact_cost) as cost_sq_sum,
        sum(contact_cost * exposure_years) as cost_exposure_sum,
        sum(exposure_years * exposure_years) as exposure_sq_sum,
        sum(exposure_years) as exposure_years
    from joined
    group by segment, region, plan, nps_category
)

select * from final
order by segment, region, plan, nps_category
