-- name: cost_channel_weekly
-- purpose: Contacts, cost, repeat contacts and the unit cost in force per week and channel for the filtered customers, with their active base.
-- grain: one row per ISO week x channel with a cost_per_contact assumption (zero-contact rows included)
-- params: start_week date, end_week date, segments varchar[], regions varchar[], plans varchar[]
-- an empty list means "all" for each customer filter
with unit_costs as (
    select
        week_start,
        substr(assumption_key, length('cost_per_contact_') + 1) as channel,
        value_number as cost_per_contact,
        valid_from as cost_valid_from
    from marts.dim_assumptions_weekly
    where
        assumption_key like 'cost\_per\_contact\_%' escape '\'
        and week_start between $start_week and $end_week
),

base as (
    select
        week_start,
        cast(sum(active_at_start) as bigint) as active_at_start
    from marts.fct_customer_base_weekly
    where
        week_start between $start_week and $end_week
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
    group by week_start
),

contacts as (
    select
        week_start,
        channel,
        sum(contact_count) as contact_count,
        sum(repeat_count) as repeat_count,
        sum(followed_up_count) as followed_up_count,
        sum(contact_cost) as contact_cost,
        sum(contact_cost_var) as contact_cost_var,
        sum(repeat_cost) as repeat_cost
    from marts.fct_cost_channel_weekly
    where
        week_start between $start_week and $end_week
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
    group by all
),

final as (
    select
        unit_costs.week_start,
        unit_costs.channel,
        cast(coalesce(base.active_at_start, 0) as bigint) as active_at_start,
        cast(coalesce(contacts.contact_count, 0) as bigint) as contact_count,
        cast(coalesce(contacts.repeat_count, 0) as bigint) as repeat_count,
        cast(coalesce(contacts.followed_up_count, 0) as bigint) as followed_up_count,
        coalesce(contacts.contact_cost, 0) as contact_cost,
        coalesce(contacts.contact_cost_var, 0) as contact_cost_var,
        coalesce(contacts.repeat_cost, 0) as repeat_cost,
        unit_costs.cost_per_contact,
        unit_costs.cost_valid_from
    from unit_costs
    left join base using (week_start)
    left join contacts using (week_start, channel)
)

select * from final
order by week_start, channel
