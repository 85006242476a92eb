-- name: assert_cost_marts_reconcile
-- purpose: The repeat-contact cost mart counts and costs exactly the contacts of fct_contacts_weekly, and repeats never exceed contacts.
-- grain: one row per week, cell and channel that disagrees (zero rows = pass)
-- params: none
with costed as (
    select * from marts.fct_cost_channel_weekly
),

contacts as (
    select * from marts.fct_contacts_weekly
),

final as (
    select
        coalesce(costed.week_start, contacts.week_start) as week_start,
        coalesce(costed.segment, contacts.segment) as segment,
        coalesce(costed.region, contacts.region) as region,
        coalesce(costed.plan, contacts.plan) as plan,
        coalesce(costed.channel, contacts.channel) as channel,
        costed.contact_count as costed_count,
        contacts.contact_count,
        costed.contact_cost as costed_cost,
        contacts.contact_cost,
        costed.repeat_count
    from costed
    full outer join contacts using (week_start, segment, region, plan, channel)
)

select * from final
where
    costed_count is distinct from contact_count
    or abs(coalesce(costed_cost, 0) - coalesce(contact_cost, 0)) > 1e-6
    or repeat_count > costed_count
