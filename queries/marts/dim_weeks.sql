-- name: dim_weeks
-- purpose: Every ISO week from the first to the last week holding any event, with its label.
-- grain: one row per ISO week (Monday start)
-- params: none
with event_weeks as (
    select week_start from staging.stg_survey_responses
    union all
    select week_start from staging.stg_contacts
    union all
    select week_start from staging.stg_complaints
    union all
    select week_start from staging.stg_transactions
),

bounds as (
    select
        min(week_start) as first_week,
        max(week_start) as last_week
    from event_weeks
),

last_event as (
    select max(event_date) as last_event_date
    from (
        select cast(max(responded_at) as date) as event_date from staging.stg_survey_responses
        union all
        select cast(max(occurred_at) as date) from staging.stg_contacts
        union all
        select cast(max(opened_at) as date) from staging.stg_complaints
        union all
        select cast(max(occurred_at) as date) from staging.stg_transactions
    ) as maxima
),

weeks as (
    select cast(generate_series as date) as week_start
    from bounds, generate_series(bounds.first_week, bounds.last_week, interval 7 day)
),

final as (
    select
        week_start,
        cast(week_start + interval 6 day as date) as week_end,
        strftime(week_start, '%G-W%V') as iso_week,
        -- a week is complete when the data reaches its Sunday
        cast(week_start + interval 6 day as date) <= last_event.last_event_date as is_complete
    from weeks, last_event
)

select * from final
