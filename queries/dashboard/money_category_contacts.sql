-- name: money_category_contacts
-- purpose: Service contacts in [as_of, horizon_end) of customers active at as_of, by segment, region, plan, latest NPS category and channel, with unresolved and repeat counts.
-- grain: one row per segment, region, plan, NPS category (promoter, passive, detractor, unanswered) and contact channel
-- params: as_of date, horizon_end date
-- weight: customer-level
-- Counts only: the caller applies the customer filters to these rows (Filters.narrow).
with latest_answer as (
    select customer_key, nps_category
    from marts.fct_nps_answer_spans
    where responded_at < $as_of and (next_responded_at is null or next_responded_at >= $as_of)
),

cohort as (
    select customer_key, segment, region, plan
    from marts.dim_customers
    where
        signup_date <= $as_of
        and (churn_date is null or churn_date > $as_of)
),

contacts as (
    select customer_key, channel, is_resolved, is_repeat
    from marts.fct_contact_repeats
    where week_start >= $as_of and week_start < $horizon_end
),

final as (
    select
        cohort.segment,
        cohort.region,
        cohort.plan,
        coalesce(latest_answer.nps_category, 'unanswered') as nps_category,
        contacts.channel,
        count(*) as contact_count,
        count(*) filter (where not contacts.is_resolved) as unresolved_count,
        count(*) filter (where contacts.is_repeat) as repeat_count
    from contacts
    inner join cohort using (customer_key)
    left join latest_answer using (customer_key)
    group by all
)

select * from final
order by segment, region, plan, nps_category, channel
