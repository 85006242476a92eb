-- name: stg_survey_responses
-- purpose: Survey answers cast, with the week (as the warehouse counts weeks: stg_settings) and the NPS / top-2-box / top-3-box flags.
-- grain: one row per survey response
-- params: none
with source as (
    select
        cast(response_id as varchar) as response_id,
        cast(customer_id as varchar) as customer_id,
        cast(responded_at as timestamp) as responded_at,
        lower(cast(survey as varchar)) as survey,
        cast(score as bigint) as score,
        cast(scale_min as bigint) as scale_min,
        cast(scale_max as bigint) as scale_max,
        -- names fold Arabic letter variants to the Persian letter (ي ى to ی, ك to ک, ۀ to هٔ,
        -- the kashida dropped) so a name typed on an Arabic or a Persian keyboard is one group;
        -- the raw table keeps the text as the file gave it
        replace(translate(cast(journey_stage as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as journey_stage,
        replace(translate(cast(touchpoint as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as touchpoint,
        replace(translate(cast(channel as varchar), 'يىكـ', 'ییک'), 'ۀ', 'هٔ') as channel,
        cast(agent_id as varchar) as agent_id,
        cast(store_id as varchar) as store_id,
        cast(expectation_score as bigint) as expectation_score,
        cast(comment as varchar) as comment
    from raw.survey_responses
),

final as (
    select
        source.*,
        -- the week's first day: a Monday, or a Saturday (named by the Monday after it)
        cast(
            cast(date_trunc('week', cast(source.responded_at as date) + settings.week_shift) as date)
            - settings.week_shift
            as date
        ) as week_start,
        -- promoter 9-10, passive 7-8, detractor 0-6 on the 0-10 scale (Reichheld 2003)
        survey = 'nps' and score >= 9 as is_promoter,
        survey = 'nps' and score between 7 and 8 as is_passive,
        survey = 'nps' and score <= 6 as is_detractor,
        -- CSAT top-2-box is scale-aware: score >= scale_max - 1
        score >= scale_max - 1 as is_top2,
        -- CES "easy" share: the top three boxes (5-7 on 1-7)
        score >= scale_max - 2 as is_top3
    from source
    cross join staging.stg_settings as settings
)

select * from final
