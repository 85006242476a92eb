-- name: dim_assumptions_weekly
-- purpose: The assumption value in force in each week (latest valid_from on or before Monday).
-- grain: one row per ISO week and assumption key
-- params: none
with weeks as (
    select week_start from marts.dim_weeks
),

assumptions as (
    select * from staging.stg_assumptions
),

candidates as (
    select
        weeks.week_start,
        assumptions.assumption_key,
        assumptions.valid_from,
        assumptions.value_text,
        assumptions.value_number,
        assumptions.unit,
        assumptions.description,
        row_number() over (
            partition by weeks.week_start, assumptions.assumption_key
            order by assumptions.valid_from desc
        ) as recency
    from weeks
    inner join assumptions on assumptions.valid_from <= weeks.week_start
),

final as (
    select
        week_start,
        assumption_key,
        valid_from,
        value_text,
        value_number,
        unit,
        description
    from candidates
    where recency = 1
)

select * from final
