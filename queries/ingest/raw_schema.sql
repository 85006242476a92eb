-- name: raw_schema
-- purpose: The raw contract's tables with the contract's types (dashboard.warehouse.schema), created empty when missing; demo builds and loads insert into them by name.
-- grain: DDL, one statement per table, separated by semicolons (run in order)
-- params: none
create schema if not exists raw;
create table if not exists raw.customers (
    customer_id varchar, segment varchar, region varchar, plan varchar,
    acquisition_channel varchar, signup_date date, churn_date date
);
create table if not exists raw.survey_responses (
    response_id varchar, customer_id varchar, responded_at timestamp, survey varchar,
    score bigint, scale_min bigint, scale_max bigint, journey_stage varchar, touchpoint varchar,
    channel varchar, agent_id varchar, store_id varchar, expectation_score bigint,
    comment varchar
);
create table if not exists raw.complaints (
    complaint_id varchar, customer_id varchar, opened_at timestamp, first_response_at timestamp,
    resolved_at timestamp, channel varchar, category varchar, severity varchar,
    contacts_count bigint, is_resolved_first_contact boolean, compensation_amount double
);
create table if not exists raw.contacts (
    contact_id varchar, customer_id varchar, occurred_at timestamp, channel varchar,
    reason varchar, handle_seconds double, is_resolved boolean, agent_id varchar
);
create table if not exists raw.transactions (
    transaction_id varchar, customer_id varchar, occurred_at timestamp, amount double,
    product varchar, channel varchar, kind varchar
);
create table if not exists raw.assumptions (
    key varchar, valid_from date, value varchar, unit varchar, description varchar
)
