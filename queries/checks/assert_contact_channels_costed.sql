-- name: assert_contact_channels_costed
-- purpose: Every contact channel has a cost per contact in force in the weeks it is used.
-- grain: one row per week and channel without a unit cost (zero rows = pass)
-- params: none
select week_start, channel, sum(contact_count) as contact_count
from marts.fct_contacts_weekly
where cost_per_contact is null
group by all
