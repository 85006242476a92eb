-- name: fct_cost_channel_weekly
-- purpose: Contacts, their cost, its quasi-Poisson variance and repeat-contact waste per week, cell and channel.
-- grain: one row per ISO week x segment x region x plan x channel
-- params: none
with contacts as (
    select * from marts.fct_contact_repeats
),

final as (
    select
        week_start,
        segment,
        region,
        plan,
        channel,
        count(*) as contact_count,
        count(*) filter (where is_repeat) as repeat_count,
        count(*) filter (where is_followed_up) as followed_up_count,
        sum(cost_per_contact) as contact_cost,
        -- quasi-Poisson variance of the cost: count x unit cost squared
        sum(cost_per_contact * cost_per_contact) as contact_cost_var,
        coalesce(sum(cost_per_contact) filter (where is_repeat), 0) as repeat_cost
    from contacts
    group by all
)

select * from final
