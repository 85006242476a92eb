-- name: store_record_migration
-- purpose: Record that one store migration was applied.
-- grain: inserts one migration
-- params: migration text, applied_at text
insert into store_migrations (migration, applied_at)
values ($migration, $applied_at)
