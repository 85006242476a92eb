-- name: stg_contacts
-- purpose: Service contacts cast, with the week (as the warehouse counts weeks: stg_settings).
-- grain: one row per contact
-- params: none
select
    cast(contact_id as varchar) as contact_id,
    cast(customer_id as varchar) as customer_id,
    cast(occurred_at as timestamp) as occurred_at,
    -- the week's first day: a Monday, or a Saturday (named by the Monday after it)
    cast(
        cast(date_trunc('week', cast(occurred_at as date) + settings.week_shift) as date)
        - settings.week_shift
        as date
    ) as week_start,
    cast(channel as varchar) as channel,
    cast(reason as varchar) as reason,
    cast(handle_seconds as bigint) as handle_seconds,
    cast(is_resolved as boolean) as is_resolved,
    cast(agent_id as varchar) as agent_id
from raw.contacts
cross join staging.stg_settings as settings
