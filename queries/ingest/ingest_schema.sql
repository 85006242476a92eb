-- name: ingest_schema
-- purpose: The load log, the quarantine (one row per problem of a refused row, with its detail), the contract check runs, the warehouse's settings (the as-of date given at ingest, where weeks start, the month calendar), the calendar's days (each day's month as the warehouse counts months, rewritten at every build) and the history of replaced rows (one table per raw table, the assumptions included), created empty when missing.
-- grain: DDL, one statement per table, separated by semicolons (run in order, after raw_schema)
-- params: none
create schema if not exists ingest;
create schema if not exists history;
create table if not exists ingest.loads (
    load_id bigint, run_id varchar, loaded_at timestamp, file_name varchar,
    table_name varchar, checksum varchar, size_bytes bigint, mapping_name varchar,
    mapping_checksum varchar, archive_path varchar, rows_read bigint, rows_new bigint,
    rows_replaced bigint, rows_unchanged bigint, rows_quarantined bigint, by_rule varchar,
    first_event_at timestamp, last_event_at timestamp
);
create table if not exists ingest.quarantine (
    load_id bigint, file_name varchar, table_name varchar, row_number bigint,
    column_name varchar, value varchar, rule varchar, record varchar, detail varchar
);
create table if not exists ingest.check_runs (
    check_name varchar, failing_rows bigint, checked_at timestamp, seconds double
);
create table if not exists ingest.settings (
    setting_key varchar, setting_value varchar, set_at timestamp
);
create table if not exists ingest.calendar_days (
    day date, month_start date, next_month_start date, month_index integer
);
create table if not exists history.customers as
    select *, cast(null as bigint) as replaced_by_load, cast(null as timestamp) as replaced_at
    from raw.customers limit 0;
create table if not exists history.survey_responses as
    select *, cast(null as bigint) as replaced_by_load, cast(null as timestamp) as replaced_at
    from raw.survey_responses limit 0;
create table if not exists history.complaints as
    select *, cast(null as bigint) as replaced_by_load, cast(null as timestamp) as replaced_at
    from raw.complaints limit 0;
create table if not exists history.contacts as
    select *, cast(null as bigint) as replaced_by_load, cast(null as timestamp) as replaced_at
    from raw.contacts limit 0;
create table if not exists history.transactions as
    select *, cast(null as bigint) as replaced_by_load, cast(null as timestamp) as replaced_at
    from raw.transactions limit 0;
create table if not exists history.assumptions as
    select *, cast(null as bigint) as replaced_by_load, cast(null as timestamp) as replaced_at
    from raw.assumptions limit 0
