-- Workforce trend: headcount, FTE and annualised basic paybill at each month-end between two
-- dates: the workforce metric (extracts.md §7) as at every month-end m with
-- $date_from <= m <= $date_to, one person one count at each.  Month-ends before the first
-- snapshot give no rows.
-- Grain: one row per month-end and group of the requested dimensions.
-- Params: $date_from (DATE), $date_to (DATE),
--   $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code, grade
-- Measures: month_end (date of the as-at view), headcount (people), fte (full-time
--   equivalents), paybill_gbp (£ a year: sum of annual_salary_gbp × fte)
WITH
people AS (
    SELECT * FROM workforce_month_ends($date_from, $date_to)
    WHERE list_contains($clusters, cluster) {{filters}}
)
SELECT {{dims}}
    month_end,
    count(*) AS headcount,
    sum(fte) AS fte,
    sum(annual_salary_gbp * fte) AS paybill_gbp
FROM people
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
