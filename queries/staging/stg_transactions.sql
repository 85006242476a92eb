-- name: stg_transactions
-- purpose: Transactions cast, with the week (as the warehouse counts weeks: stg_settings); refunds keep their negative amounts.
-- grain: one row per transaction
-- params: none
select
    cast(transaction_id as varchar) as transaction_id,
    cast(customer_id as varchar) as customer_id,
    cast(occurred_at as timestamp) as occurred_at,
    -- the week's first day: a Monday, or a Saturday (named by the Monday after it)
    cast(
        cast(date_trunc('week', cast(occurred_at as date) + settings.week_shift) as date)
        - settings.week_shift
        as date
    ) as week_start,
    cast(amount as double) as amount,
    cast(product as varchar) as product,
    cast(channel as varchar) as channel,
    cast(kind as varchar) as kind
from raw.transactions
cross join staging.stg_settings as settings
