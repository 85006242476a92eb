-- name: value_segment_weekly
-- purpose: Active base, contacts and first-contact resolutions per week, segment and channel for the filtered customers (the programme difference-in-differences).
-- grain: one row per ISO week x segment x channel with contacts, plus one row with channel null for a segment-week without contacts
-- params: start_week date, end_week date, segments varchar[], regions varchar[], plans varchar[]
-- an empty list means "all" for each customer filter; active_at_start repeats on every channel row of a segment-week
with base as (
    select
        week_start,
        segment,
        cast(sum(active_at_start) as bigint) as active_at_start
    from marts.fct_customer_base_weekly
    where
        week_start between $start_week and $end_week
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
    group by week_start, segment
),

contacts as (
    select
        week_start,
        segment,
        channel,
        cast(sum(contact_count) as bigint) as contact_count,
        cast(sum(resolved_count) as bigint) as resolved_count
    from marts.fct_contacts_weekly
    where
        week_start between $start_week and $end_week
        and (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
    group by week_start, segment, channel
),

final as (
    select
        base.week_start,
        base.segment,
        contacts.channel,
        base.active_at_start,
        cast(coalesce(contacts.contact_count, 0) as bigint) as contact_count,
        cast(coalesce(contacts.resolved_count, 0) as bigint) as resolved_count
    from base
    left join contacts using (week_start, segment)
)

select * from final
order by week_start, segment, channel
