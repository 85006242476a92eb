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
    -- names fold Arabic letter variants to the Persian letter (ي ى to ی, ك to ک, ۀ to هٔ,
    -- the kashida dropped) so a name typed on an Arabic or a Persian keyboard is one group;
    -- the raw table keeps the text as the file gave it
    replace(translate(cast(reason as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as reason,
    cast(handle_seconds as bigint) as handle_seconds,
    cast(is_resolved as boolean) as is_resolved,
    cast(agent_id as varchar) as agent_id
from raw.contacts
cross join staging.stg_settings as settings
