-- name: fct_contact_repeats
-- purpose: Each contact with its unit cost and repeat flags (same customer and reason within 7 days, any channel).
-- grain: one row per contact
-- params: none
with contacts as (
    select
        contact_id,
        customer_id,
        occurred_at,
        week_start,
        channel,
        reason,
        is_resolved
    from staging.stg_contacts
),

customers as (
    select customer_key, customer_id, segment, region, plan from marts.dim_customers
),

unit_costs as (
    select
        week_start,
        substr(assumption_key, length('cost_per_contact_') + 1) as channel,
        value_number as cost_per_contact,
        valid_from as cost_valid_from
    from marts.dim_assumptions_weekly
    where assumption_key like 'cost\_per\_contact\_%' escape '\'
),

-- the previous and next contact of the same customer for the same reason, in time order
-- (ties in time are ordered by contact_id, so exactly one of two simultaneous contacts repeats)
sequenced as (
    select
        contacts.*,
        customers.customer_key,
        customers.segment,
        customers.region,
        customers.plan,
        lag(contacts.occurred_at) over same_issue as previous_at,
        lead(contacts.occurred_at) over same_issue as next_at
    from contacts
    inner join customers using (customer_id)
    window same_issue as (
        partition by customers.customer_key, contacts.reason
        order by contacts.occurred_at, contacts.contact_id
    )
),

-- a repeat follows a contact for the same reason at most 7 days (168 hours) earlier;
-- a followed-up contact is one such a repeat came after (it did not settle the issue)
final as (
    select
        sequenced.contact_id,
        sequenced.customer_id,
        sequenced.customer_key,
        sequenced.occurred_at,
        sequenced.week_start,
        sequenced.channel,
        sequenced.reason,
        sequenced.is_resolved,
        sequenced.segment,
        sequenced.region,
        sequenced.plan,
        unit_costs.cost_per_contact,
        unit_costs.cost_valid_from,
        coalesce(sequenced.previous_at >= sequenced.occurred_at - interval 7 day, false)
            as is_repeat,
        coalesce(sequenced.next_at <= sequenced.occurred_at + interval 7 day, false)
            as is_followed_up
    from sequenced
    left join unit_costs using (week_start, channel)
)

select * from final
