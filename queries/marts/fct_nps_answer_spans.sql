-- name: fct_nps_answer_spans
-- purpose: Each relationship NPS answer with the time the customer's next answer replaced it, so "the latest answer before a date" is a filter, not a group-by over all answers.
-- grain: one row per NPS survey response
-- params: none
-- The answer in force at a moment d (the latest given before d) is the row with
-- responded_at < d and (next_responded_at is null or next_responded_at >= d). Answers at the same
-- instant are ordered by response_id, so exactly one row is in force.
with answers as (
    select
        customer_key,
        customer_id,
        response_id,
        responded_at,
        score,
        nps_category
    from marts.fct_survey_responses
    where survey = 'nps'
),

final as (
    select
        customer_key,
        customer_id,
        response_id,
        responded_at,
        lead(responded_at) over (
            partition by customer_key order by responded_at, response_id
        ) as next_responded_at,
        score,
        nps_category
    from answers
)

select * from final
