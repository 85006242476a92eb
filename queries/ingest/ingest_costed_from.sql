-- name: ingest_costed_from
-- purpose: The first day each contact channel has a cost per contact in force (assumptions keys cost_per_contact_<channel>).
-- grain: one row per costed channel
-- params: none
select
    substr(key, length('cost_per_contact_') + 1) as channel,
    min(valid_from) as valid_from
from raw.assumptions
where key like 'cost_per_contact_%'
group by all
