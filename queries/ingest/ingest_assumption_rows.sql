-- name: ingest_assumption_rows
-- purpose: The assumption rows the warehouse holds (neutral defaults and the company's own), which a company's assumptions file is compared with and checked against.
-- grain: one row per assumption key and valid_from date
-- params: none
select key, valid_from, value, unit, description from raw.assumptions
