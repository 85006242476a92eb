-- name: dim_weeks
-- purpose: Every week from the first week of the data to the week holding the as-of date, with its label and whether the as-of date reaches its last day.
-- grain: one row per week (Monday start, or Saturday start when the warehouse counts Saturday weeks; either is named by its ISO week, a Saturday week by the ISO week of its Monday)
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

settings as (
    select week_shift from staging.stg_settings
),

as_of as (
    select
        cast(
            cast(date_trunc('week', bounds.first_date + settings.week_shift) as date)
            - settings.week_shift
            as date
        ) as first_week,
        greatest(data_last_date, coalesce(given_as_of_date, data_last_date)) as as_of_date,
        settings.week_shift
    from bounds
    cross join settings
),

span as (
    select
        first_week,
        cast(
            cast(date_trunc('week', as_of_date + week_shift) as date) - week_shift as date
        ) as last_week,
        as_of_date,
        week_shift
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
        strftime(cast(weeks.week_start + span.week_shift as date), '%G-W%V') as iso_week,
        -- a week is complete when the as-of date reaches its last day (Sunday, or Friday)
        cast(weeks.week_start + interval 6 day as date) <= span.as_of_date as is_complete
    from weeks
    cross join span
)

select * from final
