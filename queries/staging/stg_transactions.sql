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
    -- names fold Arabic letter variants to the Persian letter (ي ى to ی, ك to ک, ۀ to هٔ,
    -- the kashida dropped) so a name typed on an Arabic or a Persian keyboard is one group;
    -- the raw table keeps the text as the file gave it
    replace(translate(cast(product as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as product,
    replace(translate(cast(channel as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as channel,
    cast(kind as varchar) as kind
from raw.transactions
cross join staging.stg_settings as settings
