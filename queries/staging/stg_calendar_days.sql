-- name: stg_calendar_days
-- purpose: Each day of the calendar with the month holding it as the warehouse counts months (Gregorian, or Jalali: Farvardin to Esfand): its first day, the next month's first day and a month number that counts months in order (month arithmetic is arithmetic on it).
-- grain: one row per day, 1950-01-01 to 2100-12-31
-- params: none
select
    cast(day as date) as day,
    cast(month_start as date) as month_start,
    cast(next_month_start as date) as next_month_start,
    cast(month_index as integer) as month_index
from ingest.calendar_days
