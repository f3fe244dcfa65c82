-- Workforce: headcount, FTE and annualised basic paybill as at a date (extracts.md §7).
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code, grade, profession, region,
--   employment_type, sex, ethnicity, disability, age_band
-- Measures: headcount (people), fte (full-time equivalents), paybill_gbp (£ a year:
--   sum of annual_salary_gbp × fte)
WITH people AS (
    SELECT * FROM workforce_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
)
SELECT {{dims}}
    count(*) AS headcount,
    sum(fte) AS fte,
    sum(annual_salary_gbp * fte) AS paybill_gbp
FROM people
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
