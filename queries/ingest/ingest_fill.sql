-- name: ingest_fill
-- purpose: Put the validated rows of a file (the registered frame `frame`) into the staged table, cast to the raw types.
-- grain: one row per validated row
-- params: none
insert into incoming by name select * from frame
