-- name: assert_score_within_scale
-- purpose: Scores and expectation scores lie within their declared scale, and scales match the survey.
-- grain: one row per offending response (zero rows = pass)
-- params: none
select response_id, survey, score, expectation_score, scale_min, scale_max
from staging.stg_survey_responses
where
    score not between scale_min and scale_max
    or expectation_score not between scale_min and scale_max
    or scale_min >= scale_max
    or (survey = 'nps' and (scale_min <> 0 or scale_max <> 10))
