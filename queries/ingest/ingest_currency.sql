-- name: ingest_currency
-- purpose: The currency the warehouse's amounts are in (the latest assumptions value of key currency; none when unset), for the plausibility bound of amounts.
-- grain: zero or one row
-- params: none
select value as currency
from raw.assumptions
where key = 'currency'
order by valid_from desc
limit 1
