-- name: money_category_contacts
-- purpose: Service contacts in [as_of, horizon_end) of customers active at as_of, by segment, latest NPS category and channel, with unresolved and repeat counts.
-- grain: one row per segment, NPS category (promoter, passive, detractor, unanswered) and contact channel
-- params: as_of date, horizon_end date, segments varchar[], regions varchar[], plans varchar[]
with latest_answer as (
    select
        customer_id,
        arg_max(nps_category, responded_at) as nps_category
    from marts.fct_survey_responses
    where survey = 'nps' and responded_at < $as_of
    group by customer_id
),

cohort as (
    select customer_id, segment
    from marts.dim_customers
    where
        signup_date <= $as_of
        and (churn_date is null or churn_date > $as_of)
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
),

contacts as (
    select customer_id, channel, is_resolved, is_repeat
    from marts.fct_contact_repeats
    where week_start >= $as_of and week_start < $horizon_end
),

final as (
    select
        cohort.segment,
        coalesce(latest_answer.nps_category, 'unanswered') as nps_category,
        contacts.channel,
        count(*) as contact_count,
        count(*) filter (where not contacts.is_resolved) as unresolved_count,
        count(*) filter (where contacts.is_repeat) as repeat_count
    from contacts
    inner join cohort using (customer_id)
    left join latest_answer using (customer_id)
    group by cohort.segment, coalesce(latest_answer.nps_category, 'unanswered'), contacts.channel
)

select * from final
order by segment, nps_category, channel
