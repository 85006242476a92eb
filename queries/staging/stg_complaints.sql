-- name: stg_complaints
-- purpose: Complaints cast, with the week (as the warehouse counts weeks: stg_settings) opened and response / resolution hours.
-- grain: one row per complaint
-- params: none
with source as (
    select
        cast(complaint_id as varchar) as complaint_id,
        cast(customer_id as varchar) as customer_id,
        cast(opened_at as timestamp) as opened_at,
        cast(first_response_at as timestamp) as first_response_at,
        cast(resolved_at as timestamp) as resolved_at,
        -- names fold Arabic letter variants to the Persian letter (ي ى to ی, ك to ک, ۀ to هٔ,
        -- the kashida dropped) so a name typed on an Arabic or a Persian keyboard is one group;
        -- the raw table keeps the text as the file gave it
        replace(translate(cast(channel as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as channel,
        replace(translate(cast(category as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as category,
        cast(severity as varchar) as severity,
        cast(contacts_count as bigint) as contacts_count,
        cast(is_resolved_first_contact as boolean) as is_resolved_first_contact,
        cast(compensation_amount as double) as compensation_amount
    from raw.complaints
),

final as (
    select
        source.*,
        -- the week's first day: a Monday, or a Saturday (named by the Monday after it)
        cast(
            cast(date_trunc('week', cast(source.opened_at as date) + settings.week_shift) as date)
            - settings.week_shift
            as date
        ) as week_start,
        date_diff('second', opened_at, first_response_at) / 3600.0 as first_response_hours,
        date_diff('second', opened_at, resolved_at) / 3600.0 as resolution_hours
    from source
    cross join staging.stg_settings as settings
)

select * from final
