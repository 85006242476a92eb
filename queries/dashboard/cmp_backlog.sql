-- name: cmp_backlog
-- purpose: Complaints still open at an instant (opened before it, not resolved before it) counted by age band, with how many belong to customers who have left.
-- grain: one row per segment x region x plan x age band (band_lower_hours; bands without an open complaint are absent)
-- params: as_of date, band_lower_hours double[]
-- as_of is the Monday after the selected week: the backlog at the end of that week; a
-- complaint's age is the hours from its opening to as_of. band_lower_hours: the bands' lower
-- bounds in hours (inclusive); a complaint falls in the band of the highest bound its age
-- reaches, so each band runs up to the next bound and the last has no upper bound; ages below
-- every bound have a null band_lower_hours (counted in the total, in no band).
-- Counts only: the caller keeps the filters' rows (Filters.selects) and sums them, so a filter
-- change re-uses the result.
with bands as (
    select unnest(cast($band_lower_hours as double[])) as lower_hours
),

open_complaints as (
    select
        complaint_id,
        segment,
        region,
        plan,
        date_diff('second', opened_at, cast($as_of as timestamp)) / 3600.0 as age_hours,
        coalesce(churn_date <= $as_of, false) as has_customer_left
    from marts.fct_complaint_detail
    where
        opened_at < $as_of
        and (resolved_at is null or resolved_at >= $as_of)
),

-- each open complaint once, with the highest band bound its age reaches
banded as (
    select
        open_complaints.complaint_id,
        open_complaints.segment,
        open_complaints.region,
        open_complaints.plan,
        open_complaints.has_customer_left,
        max(bands.lower_hours) as band_lower_hours
    from open_complaints
    left join bands
        on open_complaints.age_hours >= bands.lower_hours
    group by
        open_complaints.complaint_id,
        open_complaints.segment,
        open_complaints.region,
        open_complaints.plan,
        open_complaints.has_customer_left
),

final as (
    select
        segment,
        region,
        plan,
        band_lower_hours,
        count(*) as complaint_count,
        count(*) filter (where has_customer_left) as customer_left_count
    from banded
    group by segment, region, plan, band_lower_hours
)

select * from final
order by segment, region, plan, band_lower_hours
