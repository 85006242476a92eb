-- name: store_migrations_applied
-- purpose: The store migrations already applied to this store.
-- grain: one row per applied migration
-- params: none
select migration, applied_at
from store_migrations
order by migration
