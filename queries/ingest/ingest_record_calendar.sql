-- name: ingest_record_calendar
-- purpose: Write the calendar's days (from the registered frame calendar_rows): each day's month start, next month start and month number, Gregorian or Jalali as the warehouse counts months.
-- grain: one row per day
-- params: none
insert into ingest.calendar_days by name select * from calendar_rows
