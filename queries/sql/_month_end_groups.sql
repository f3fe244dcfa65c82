-- Month-end groups: the mart behind the month-end metrics (workforce_trend, turnover and
-- cost_per_fte), built by the ingest (pipeline/ingest/marts.py) rather than at every query.
-- For every month-end m from $date_from to $date_after, the as-at view of m
-- (workforce_month_ends: each cluster's snapshot on or before m, one person one count;
-- extracts.md §7) counted by the dimensions those metrics offer, with the people who are in
-- no organisation of any cluster at the next month-end (leavers, counted in the group they
-- left; null at $date_after).
--   $date_after is the first month-end after the latest cluster extract: its view is every
--     cluster's latest snapshot, the view of every later month-end too.  The ingest keeps it
--     apart (latest_groups) and the rest in month_end_groups; queries/sql/_common.sql's
--     month_end_rows puts them together for any range of month-ends.
--   The ingest rebuilds from the month-end before the earliest extract a load changed (its
--     leavers depend on the next month-end), and never later than the last month-end on or
--     before the latest extract, whose leavers depend on the latest snapshots.
-- Grain: one row per (month_end, cluster, department, organisation_code, grade) with people.
-- Params: $date_from (DATE), $date_after (DATE)
-- Dimensions: none (a build step, not a metric)
-- Measures: month_end, cluster, department, organisation_code, grade, headcount (people),
--   fte (full-time equivalents), paybill_gbp (£ a year: sum of annual_salary_gbp × fte),
--   leavers (people)
WITH
people AS (
    SELECT month_end, person_id, cluster, department, organisation_code,
           CAST(grade AS VARCHAR) AS grade, fte, annual_salary_gbp
    FROM workforce_month_ends($date_from, $date_after)
),
flagged AS (
    SELECT *,
           lead(month_end) OVER (PARTITION BY person_id ORDER BY month_end) AS next_seen
    FROM people
)
SELECT month_end, cluster, department, organisation_code, grade,
       count(*) AS headcount,
       sum(fte) AS fte,
       sum(annual_salary_gbp * fte) AS paybill_gbp,
       CASE WHEN month_end < $date_after THEN count(*) FILTER (
           WHERE coalesce(next_seen, DATE '9999-12-31') > last_day(month_end + INTERVAL 1 MONTH)
       ) END AS leavers
FROM flagged
GROUP BY month_end, cluster, department, organisation_code, grade
