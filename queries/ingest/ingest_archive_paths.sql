-- name: ingest_archive_paths
-- purpose: The archived copies the warehouse's loads refer to (the next run keeps these and
--          removes the copies a failed or killed run left behind).
-- grain: one row per archive path
-- params: none
select distinct archive_path from ingest.loads where archive_path <> ''
