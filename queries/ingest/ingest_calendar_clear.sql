-- name: ingest_calendar_clear
-- purpose: Empty the calendar's days before a build writes them again (the month calendar of the warehouse's settings).
-- grain: deletes every row of ingest.calendar_days
-- params: none
delete from ingest.calendar_days
