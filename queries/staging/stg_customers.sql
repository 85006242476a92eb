-- name: stg_customers
-- purpose: Customers from the raw contract, renamed and cast, names with Persian letters; nothing derived.
-- grain: one row per customer
-- params: none
select
    cast(customer_id as varchar) as customer_id,
    -- names fold Arabic letter variants to the Persian letter (ي ى to ی, ك to ک, ۀ to هٔ,
    -- the kashida dropped) so a name typed on an Arabic or a Persian keyboard is one group;
    -- the raw table keeps the text as the file gave it
    replace(translate(cast(segment as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as segment,
    replace(translate(cast(region as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as region,
    replace(translate(cast(plan as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as plan,
    replace(
        translate(cast(acquisition_channel as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ'
    ) as acquisition_channel,
    cast(signup_date as date) as signup_date,
    cast(churn_date as date) as churn_date
from raw.customers
