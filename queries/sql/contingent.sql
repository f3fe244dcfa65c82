-- Contingent labour: workers engaged off-payroll, their FTE and annualised cost, as at a date.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code, category
-- Measures: workers (people), fte (full-time equivalents), annualised_cost_gbp (£ a year:
--   sum of day_rate_gbp × fte × 220 working days)
WITH workers AS (
    SELECT * FROM contingent_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
)
SELECT {{dims}}
    count(*) AS workers,
    sum(fte) AS fte,
    sum(day_rate_gbp * fte * 220) AS annualised_cost_gbp
FROM workers
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
