-- name: ingest_customers
-- purpose: The customers the warehouse knows and when they signed up (for the unknown-customer and before-signup rules).
-- grain: one row per customer
-- params: none
select customer_id, signup_date from raw.customers
