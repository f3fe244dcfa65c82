-- Workforce trend: headcount, FTE and annualised basic paybill at each month-end between two
-- dates: the workforce metric (extracts.md §7) as at every month-end m with
-- $date_from <= m <= $date_to, one person one count at each.  Month-ends before the first
-- snapshot, or after the last month-end on or before the latest one, give no rows.  Read from
-- the month-end mart the ingest keeps (queries/sql/_month_end_groups.sql).
-- Grain: one row per month-end and group of the requested dimensions.
-- Params: $date_from (DATE), $date_to (DATE),
--   $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code, grade
-- Measures: month_end (date of the as-at view), headcount (people), fte (full-time
--   equivalents), paybill_gbp (£ a year: sum of annual_salary_gbp × fte)
SELECT {{dims}}
    month_end,
    CAST(sum(headcount) AS BIGINT) AS headcount,
    sum(fte) AS fte,
    sum(paybill_gbp) AS paybill_gbp
FROM month_end_rows($date_from, $date_to)
WHERE list_contains($clusters, cluster) {{filters}}
GROUP BY ALL
HAVING sum(headcount) > 0
ORDER BY ALL
