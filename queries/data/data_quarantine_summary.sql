-- name: data_quarantine_summary
-- purpose: How many rows each load put in quarantine, by table and rule (the quarantine browser's choices and counts): rows with the rule, problems with the rule, and the load's quarantined rows counted once each.
-- grain: one row per load, file, table and rule
-- params: none
with per_rule as (
    select
        load_id,
        file_name,
        table_name,
        rule,
        count(distinct row_number) as row_count,
        count(*) as problem_count
    from ingest.quarantine
    group by all
),

per_load as (
    select
        load_id,
        table_name,
        count(distinct row_number) as load_row_count
    from ingest.quarantine
    group by all
)

select
    per_rule.load_id,
    per_rule.file_name,
    per_rule.table_name,
    per_rule.rule,
    per_rule.row_count,
    per_rule.problem_count,
    per_load.load_row_count
from per_rule
inner join per_load
    on per_rule.load_id = per_load.load_id and per_rule.table_name = per_load.table_name
order by per_rule.load_id desc, per_rule.table_name, per_rule.row_count desc, per_rule.rule
