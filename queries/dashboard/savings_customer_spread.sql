-- name: savings_customer_spread
-- purpose: The customer-clustered variance of the change in contact cost per customer-week between a baseline and a current window, contacts priced at given unit costs.
-- grain: one row (sums over the filtered customers)
-- params: base_start date, base_end date, cur_start date, cur_end date, channels varchar[], prices double[], segments varchar[], regions varchar[], plans varchar[]
-- weight: customer-level
-- an empty list means "all" for each customer filter; a channel missing from channels costs 0;
-- an empty channels list prices each contact at its own cost (the unit cost in force that week).
-- Customers are the clusters: with X a customer's priced contact cost in a window and w the
-- window's Mondays the customer was active on, v = sum X / sum w per window, the saving's
-- linearisation per customer is z = (X0 - v0 w0) / sum w0 - (X1 - v1 w1) / sum w1 and
-- saving_var = n / (n - 1) x sum z^2 is the variance of v0 - v1 (both windows share customers);
-- change_var = n / (n - 1) x sum (d - mean d)^2 with d = X1 - X0 is the variance of the change
-- in the windows' total cost.
with customers as (
    select
        customer_key,
        signup_bucket_week,
        coalesce(churn_bucket_week, date '9999-12-27') as gone_week
    from marts.dim_customers
    where
        (len(cast($segments as varchar[])) = 0 or list_contains(cast($segments as varchar[]), segment))
        and (len(cast($regions as varchar[])) = 0 or list_contains(cast($regions as varchar[]), region))
        and (len(cast($plans as varchar[])) = 0 or list_contains(cast($plans as varchar[]), plan))
),

-- Mondays of each window on which the customer was active (active from the signup bucket
-- week, gone from the churn bucket week)
weeks_active as (
    select
        customer_key,
        greatest(date_diff('day',
            greatest(signup_bucket_week, cast($base_start as date)),
            least(gone_week, cast(cast($base_end as date) + interval 7 day as date))) // 7, 0)
            as w0,
        greatest(date_diff('day',
            greatest(signup_bucket_week, cast($cur_start as date)),
            least(gone_week, cast(cast($cur_end as date) + interval 7 day as date))) // 7, 0)
            as w1
    from customers
),

priced as (
    select
        contacts.customer_key,
        contacts.week_start,
        case
            when len(cast($channels as varchar[])) = 0 then contacts.cost_per_contact
            else coalesce(
                (cast($prices as double[]))[
                    array_position(cast($channels as varchar[]), contacts.channel)],
                0)
        end as price
    from marts.fct_contact_repeats as contacts
    inner join customers using (customer_key)
    where
        contacts.week_start between $base_start and $base_end
        or contacts.week_start between $cur_start and $cur_end
),

costs as (
    select
        customer_key,
        coalesce(sum(price) filter (where week_start <= $base_end), 0) as x0,
        coalesce(sum(price) filter (where week_start >= $cur_start), 0) as x1
    from priced
    group by customer_key
),

joined as (
    select
        coalesce(costs.x0, 0) as x0,
        coalesce(weeks_active.w0, 0) as w0,
        coalesce(costs.x1, 0) as x1,
        coalesce(weeks_active.w1, 0) as w1
    from weeks_active
    full outer join costs using (customer_key)
    where coalesce(weeks_active.w0, 0) + coalesce(weeks_active.w1, 0) > 0 or costs.customer_key is not null
),

totals as (
    select
        count(*) as customer_count,
        sum(x0) as cost0,
        sum(w0) as weeks0,
        sum(x1) as cost1,
        sum(w1) as weeks1
    from joined
),

spread as (
    select
        sum(power(
            (joined.x0 - totals.cost0 / totals.weeks0 * joined.w0) / totals.weeks0
            - (joined.x1 - totals.cost1 / totals.weeks1 * joined.w1) / totals.weeks1,
            2)) as z_sq_sum,
        sum(power(joined.x1 - joined.x0 - (totals.cost1 - totals.cost0) / totals.customer_count, 2))
            as d_sq_sum
    from joined, totals
    where totals.weeks0 > 0 and totals.weeks1 > 0
),

final as (
    select
        cast(totals.customer_count as bigint) as customer_count,
        totals.cost0,
        cast(totals.weeks0 as bigint) as weeks0,
        totals.cost1,
        cast(totals.weeks1 as bigint) as weeks1,
        case
            when totals.customer_count > 1 and totals.weeks0 > 0 and totals.weeks1 > 0
                then totals.customer_count / (totals.customer_count - 1.0) * spread.z_sq_sum
        end as saving_var,
        case
            when totals.customer_count > 1
                then totals.customer_count / (totals.customer_count - 1.0) * spread.d_sq_sum
        end as change_var
    from totals, spread
)

select * from final
