-- name: assert_accepted_values
-- purpose: Enumerated columns hold only their accepted values; returns each offending value.
-- grain: one row per table, column and offending value (zero rows = pass)
-- params: none
with offending as (
    select 'survey_responses' as table_name, 'survey' as column_name, survey as bad_value
    from staging.stg_survey_responses
    where survey not in ('nps', 'csat', 'ces')
    union all
    select 'contacts', 'channel', channel
    from staging.stg_contacts
    where channel not in ('phone', 'chat', 'email', 'self_service', 'store', 'social')
    union all
    select 'transactions', 'kind', kind
    from staging.stg_transactions
    where kind not in ('purchase', 'subscription', 'refund')
)

select distinct * from offending
