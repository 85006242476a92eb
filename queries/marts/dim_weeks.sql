-- name: dim_weeks
-- purpose: Every ISO week from the first week of the data to the week holding the as-of date, with its label and whether the as-of date reaches its Sunday.
-- grain: one row per ISO week (Monday start)
-- params: none
-- the as-of date: the one given with `ingest --as-of`, else the latest date any loaded table
-- carries (events, signup and churn dates); never earlier than the data (ingest refuses that)
with dates as (
    select date_role, first_date, last_date from marts.dim_data_dates
),

loaded as (
    select count(*) > 0 as has_events
    from dates
    where date_role = 'event' and last_date is not null
),

-- the first week: the first event or churn date; signup dates only when no event table is
-- loaded (a CRM file lists customers who signed up years before the first recorded event)
bounds as (
    select
        min(
            case
                when dates.date_role in ('event', 'churn') then dates.first_date
                when dates.date_role = 'signup' and not loaded.has_events then dates.first_date
            end
        ) as first_date,
        max(case when dates.date_role <> 'as_of' then dates.last_date end) as data_last_date,
        max(case when dates.date_role = 'as_of' then dates.last_date end) as given_as_of_date
    from dates
    cross join loaded
),

as_of as (
    select
        cast(date_trunc('week', first_date) as date) as first_week,
        greatest(data_last_date, coalesce(given_as_of_date, data_last_date)) as as_of_date
    from bounds
),

span as (
    select
        first_week,
        cast(date_trunc('week', as_of_date) as date) as last_week,
        as_of_date
    from as_of
),

weeks as (
    select cast(generate_series as date) as week_start
    from span, generate_series(span.first_week, span.last_week, interval 7 day)
),

final as (
    select
        weeks.week_start,
        cast(weeks.week_start + interval 6 day as date) as week_end,
        strftime(weeks.week_start, '%G-W%V') as iso_week,
        -- a week is complete when the as-of date reaches its Sunday
        cast(weeks.week_start + interval 6 day as date) <= span.as_of_date as is_complete
    from weeks
    cross join span
)

select * from final
