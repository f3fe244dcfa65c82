-- Turnover: people leaving the civil service in the 12 months to a date, as a share of the
-- average headcount over those months.
--   period_end: the last month-end on or before $as_at; the year is the 13 month-ends from
--     period_end minus 12 months to period_end, each read as an as-at view (extracts.md §7,
--     one person one count).  Month-ends before the warehouse's first snapshot are left out
--     (month_ends_covered says how many were used; 13 for a full year).  Read from the
--     month-end mart the ingest keeps (queries/sql/_month_end_groups.sql), whose leavers are
--     this rule's, per month-end.
--   leavers: for each pair of consecutive month-ends m-1, m of the year, the people in the
--     group at m-1 and in no organisation of any cluster at m (a move to another organisation
--     is a transfer, not a leaver).  Counted in the group they left; someone who leaves twice
--     counts twice.
--   average_headcount: the group's headcount summed over the month-ends used, divided by
--     their number (a month-end where the group had nobody counts as 0).
--   turnover_rate: leavers ÷ average_headcount (not annualised when fewer than 13 month-ends
--     are covered); null when only one month-end is covered, as at the first month-end
--     loaded: with no pair of month-ends there is no leaver to count, and 0 would read as
--     nobody left.  A year's rate needs all 13 (month_ends_covered = 13): the pages show a
--     shorter window as not available, with the reason.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code, grade
-- Measures: period_end (date), month_ends_covered (count), leavers (people),
--   average_headcount (people), turnover_rate (ratio)
WITH
year_points AS (
    SELECT month_end
    FROM month_ends(
        month_end_on_or_before($as_at) - INTERVAL 12 MONTH, month_end_on_or_before($as_at)
    )
    WHERE is_covered
),
scoped AS (
    SELECT * FROM month_end_rows(
        month_end_on_or_before($as_at) - INTERVAL 12 MONTH, month_end_on_or_before($as_at)
    )
    WHERE list_contains($clusters, cluster) {{filters}}
),
counted AS (
    SELECT {{dims}}
        CAST(coalesce(sum(leavers) FILTER (
            WHERE month_end < month_end_on_or_before($as_at)
        ), 0) AS BIGINT) AS leavers,
        sum(headcount) AS person_month_ends
    FROM scoped
    GROUP BY ALL
    HAVING sum(headcount) > 0
),
final AS (
    SELECT c.* EXCLUDE (person_month_ends),
           month_end_on_or_before($as_at) AS period_end,
           y.months AS month_ends_covered,
           c.person_month_ends / y.months AS average_headcount,
           CASE WHEN y.months > 1
                THEN c.leavers / (c.person_month_ends / y.months) END AS turnover_rate
    FROM counted AS c
    CROSS JOIN (SELECT count(*) AS months FROM year_points) AS y
)
SELECT * FROM final
ORDER BY ALL
