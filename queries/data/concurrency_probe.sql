-- name: concurrency_probe
-- purpose: Raw contacts against the contacts the marts count, in one statement (so on one warehouse file): equal on any complete warehouse.
-- grain: one row
-- params: none
select
    (select count(*) from raw.contacts) as raw_contacts,
    (select coalesce(sum(contact_count), 0) from marts.fct_contacts_weekly) as mart_contacts
