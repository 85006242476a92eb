-- name: fct_cost_channel_weekly
-- purpose: Contacts, their cost, its customer-clustered variance and repeat-contact waste per week, cell and channel.
-- grain: one row per ISO week x segment x region x plan x channel
-- params: none
-- The variance treats customers as the independent units (clusters): with x the cost of one
-- customer's contacts in the channel and week and n the cell's customers (those active at the
-- week's start, or the customers who contacted if more), it is n / (n - 1) x (sum x^2 - (sum x)^2 / n).
-- Customers without a contact count with x = 0. Unlike count x unit cost^2 (plain Poisson), it
-- keeps the overdispersion of contacts that cluster by customer.
with contacts as (
    select * from marts.fct_contact_repeats
),

base as (
    select week_start, segment, region, plan, active_at_start
    from marts.fct_customer_base_weekly
),

per_customer as (
    select
        week_start,
        segment,
        region,
        plan,
        channel,
        customer_key,
        count(*) as contact_count,
        count(*) filter (where is_repeat) as repeat_count,
        count(*) filter (where is_followed_up) as followed_up_count,
        sum(cost_per_contact) as contact_cost,
        coalesce(sum(cost_per_contact) filter (where is_repeat), 0) as repeat_cost
    from contacts
    group by all
),

cells as (
    select
        week_start,
        segment,
        region,
        plan,
        channel,
        sum(contact_count) as contact_count,
        sum(repeat_count) as repeat_count,
        sum(followed_up_count) as followed_up_count,
        sum(contact_cost) as contact_cost,
        sum(contact_cost * contact_cost) as contact_cost_sq_sum,
        count(*) as customers_contacting,
        sum(repeat_cost) as repeat_cost
    from per_customer
    group by all
),

sized as (
    select
        cells.*,
        cast(greatest(coalesce(base.active_at_start, 0), cells.customers_contacting, 2) as double)
            as cluster_count
    from cells
    left join base using (week_start, segment, region, plan)
),

final as (
    select
        week_start,
        segment,
        region,
        plan,
        channel,
        contact_count,
        repeat_count,
        followed_up_count,
        contact_cost,
        -- customer-clustered variance of the cost (see the header)
        greatest(
            cluster_count / (cluster_count - 1)
            * (contact_cost_sq_sum - contact_cost * contact_cost / cluster_count),
            0
        ) as contact_cost_var,
        repeat_cost
    from sized
)

select * from final
