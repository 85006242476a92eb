-- name: fct_contacts_weekly
-- purpose: Contacts and their cost (unit cost in force that week) per week, cell and channel.
-- grain: one row per ISO week x segment x region x plan x channel
-- params: none
with contacts as (
    select * from staging.stg_contacts
),

customers as (
    select customer_id, segment, region, plan from marts.dim_customers
),

unit_costs as (
    select
        week_start,
        substr(assumption_key, length('cost_per_contact_') + 1) as channel,
        value_number as cost_per_contact
    from marts.dim_assumptions_weekly
    where assumption_key like 'cost\_per\_contact\_%' escape '\'
),

counted as (
    select
        contacts.week_start,
        customers.segment,
        customers.region,
        customers.plan,
        contacts.channel,
        count(*) as contact_count,
        count(*) filter (where contacts.is_resolved) as resolved_count,
        sum(contacts.handle_seconds) as handle_seconds_sum
    from contacts
    inner join customers using (customer_id)
    group by all
),

final as (
    select
        counted.*,
        unit_costs.cost_per_contact,
        counted.contact_count * unit_costs.cost_per_contact as contact_cost
    from counted
    left join unit_costs using (week_start, channel)
)

select * from final
